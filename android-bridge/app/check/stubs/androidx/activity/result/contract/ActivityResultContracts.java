package androidx.activity.result.contract;

/** Stub (androidx.activity 1.9). */
public final class ActivityResultContracts {
    public static final class RequestPermission extends ActivityResultContract<String, Boolean> {
        public RequestPermission() { throw new RuntimeException("stub"); }
    }
}
