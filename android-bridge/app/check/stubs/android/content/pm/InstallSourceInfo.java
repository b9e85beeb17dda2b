package android.content.pm;

/** Stub (API 30). */
public final class InstallSourceInfo {
    /** API 33: one of PackageInstaller.PACKAGE_SOURCE_*. */
    public int getPackageSource() { throw new RuntimeException("stub"); }
}
