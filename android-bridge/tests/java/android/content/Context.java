package android.content;

/**
 * Double of {@code android.content.Context} (API 1): abstract, like the real class. Only the
 * members the Rust side calls exist; {@link ringback.doubles.TestContext} is the concrete one.
 */
public abstract class Context {
    /** API 1. */
    public Context() {}

    /** API 1. */
    public abstract ContentResolver getContentResolver();

    /** API 1. */
    public abstract String getPackageName();

    /** API 1. */
    public abstract Context getApplicationContext();

    /** API 1. */
    public abstract java.io.File getCacheDir();
}
