package android.os;

import androidx.annotation.NonNull;

/** Stub of android.os.PowerManager. */
public final class PowerManager {
    /** API 23. */
    public boolean isIgnoringBatteryOptimizations(@NonNull String packageName) { throw new RuntimeException("stub"); }
}
