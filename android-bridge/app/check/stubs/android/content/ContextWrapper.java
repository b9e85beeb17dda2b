package android.content;

import android.content.pm.PackageManager;
import android.content.res.Resources;
import java.io.File;

/** Stub (API 1). */
public class ContextWrapper extends Context {
    public ContextWrapper(Context base) { throw new RuntimeException("stub"); }

    @Override public Context getApplicationContext() { throw new RuntimeException("stub"); }
    @Override public String getPackageName() { throw new RuntimeException("stub"); }
    @Override public PackageManager getPackageManager() { throw new RuntimeException("stub"); }
    @Override public ContentResolver getContentResolver() { throw new RuntimeException("stub"); }
    @Override public java.io.File getCacheDir() { throw new RuntimeException("stub"); }
    @Override public Resources getResources() { throw new RuntimeException("stub"); }
    @Override public SharedPreferences getSharedPreferences(String name, int mode) { throw new RuntimeException("stub"); }
    @Override public File getNoBackupFilesDir() { throw new RuntimeException("stub"); }
    @Override public void startActivity(Intent intent) { throw new RuntimeException("stub"); }
    @Override public ComponentName startForegroundService(Intent service) { throw new RuntimeException("stub"); }
    @Override public int checkSelfPermission(String permission) { throw new RuntimeException("stub"); }
}
