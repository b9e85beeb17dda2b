package android.provider;

import android.content.ContentResolver;
import androidx.annotation.Nullable;

/** Stub of android.provider.Settings. */
public final class Settings {
    /** API 9. */
    public static final String ACTION_APPLICATION_DETAILS_SETTINGS = "android.settings.APPLICATION_DETAILS_SETTINGS";
    /** API 23. */
    public static final String ACTION_REQUEST_IGNORE_BATTERY_OPTIMIZATIONS = "android.settings.REQUEST_IGNORE_BATTERY_OPTIMIZATIONS";
    /** API 23. */
    public static final String ACTION_IGNORE_BATTERY_OPTIMIZATION_SETTINGS = "android.settings.IGNORE_BATTERY_OPTIMIZATION_SETTINGS";

    public static final class Global {
        /** API 25. */
        public static final String DEVICE_NAME = "device_name";

        /** API 17. */
        public static final String AIRPLANE_MODE_ON = "airplane_mode_on";

        /** API 17. */
        public static int getInt(ContentResolver cr, String name, int def) { throw new RuntimeException("stub"); }

        /** API 17. */
        @Nullable
        public static String getString(ContentResolver resolver, String name) { throw new RuntimeException("stub"); }
    }
}
