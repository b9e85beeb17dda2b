package android.content.pm;

/** Stub of android.content.pm.PackageInstaller: how the app was installed (API 33). */
public class PackageInstaller {
    public static final int PACKAGE_SOURCE_LOCAL_FILE = 3;
    public static final int PACKAGE_SOURCE_DOWNLOADED_FILE = 4;
}
