package androidx.activity.result;

/** Stub (androidx.activity 1.9; a Kotlin fun interface there). */
public interface ActivityResultCallback<O> {
    void onActivityResult(O result);
}
