package app.ringback

/**
 * Loads the Rust library and hands it the application context, so its jni code can reach
 * SmsManager, the call log and the contacts. Kept free of other Android imports: a host test
 * compiles this file against a Context double.
 */
object NativeInit {
    init {
        System.loadLibrary("ringback_bridge")
    }

    /** Implemented in Rust (`Java_app_ringback_NativeInit_init`); once, before `Bridge.start`. */
    @JvmStatic
    external fun init(context: android.content.Context)
}
