package android.content;

import android.content.pm.PackageManager;
import android.content.res.Resources;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;
import java.io.File;

/** Stub of android.content.Context: the members the app uses. */
public abstract class Context {
    /** API 1. */
    public static final int MODE_PRIVATE = 0;

    public abstract Context getApplicationContext();
    public abstract String getPackageName();
    public abstract PackageManager getPackageManager();
    public abstract ContentResolver getContentResolver();
    public abstract java.io.File getCacheDir();
    public abstract Resources getResources();
    public abstract SharedPreferences getSharedPreferences(String name, int mode);
    /** API 21. */
    public abstract File getNoBackupFilesDir();
    public abstract void startActivity(Intent intent);
    /** API 26. */
    @Nullable
    public abstract ComponentName startForegroundService(Intent service);
    /** API 23. */
    public abstract int checkSelfPermission(@NonNull String permission);

    @NonNull
    public final String getString(int resId) { throw new RuntimeException("stub"); }
    @NonNull
    public final String getString(int resId, Object... formatArgs) { throw new RuntimeException("stub"); }
    /** API 23. */
    @Nullable
    public final <T> T getSystemService(@NonNull Class<T> serviceClass) { throw new RuntimeException("stub"); }
}
