package ringback.doubles;

import android.content.Context;

/**
 * The same native method as the app's {@code app.ringback.NativeInit.init}, without its
 * {@code System.loadLibrary}: a host test registers the Rust export on it with
 * {@code RegisterNatives} and calls it like Kotlin would.
 */
public final class NativeInitProbe {
    private NativeInitProbe() {}

    public static native void init(Context context);
}
