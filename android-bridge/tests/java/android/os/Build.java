package android.os;

/** Double of android.os.Build (API 1): only what the bridge reads. */
public class Build {
    /** Double of android.os.Build.VERSION (API 1). */
    public static class VERSION {
        /** Build.VERSION.SDK_INT (API 4): the double is a phone on Android 15 (API 35). */
        public static final int SDK_INT = 35;
    }
}
