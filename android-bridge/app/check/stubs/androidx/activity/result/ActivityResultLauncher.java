package androidx.activity.result;

/** Stub (androidx.activity 1.9). */
public abstract class ActivityResultLauncher<I> {
    public void launch(I input) { throw new RuntimeException("stub"); }
}
