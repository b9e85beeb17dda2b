package android.content.pm;

import android.util.AndroidException;
import androidx.annotation.NonNull;

/** Stub of android.content.pm.PackageManager. */
public abstract class PackageManager {
    /** API 1. */
    public static final int PERMISSION_GRANTED = 0;

    /** API 30. */
    @NonNull
    public InstallSourceInfo getInstallSourceInfo(@NonNull String packageName) throws NameNotFoundException { throw new RuntimeException("stub"); }

    public static class NameNotFoundException extends AndroidException {
        public NameNotFoundException() { throw new RuntimeException("stub"); }
    }
}
