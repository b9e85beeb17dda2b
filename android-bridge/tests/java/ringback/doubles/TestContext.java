package ringback.doubles;

import android.content.ContentResolver;
import android.content.Context;

/**
 * The concrete {@link Context} for tests: package "app.ringback" unless told, a content
 * resolver answering from {@link World}, and itself as the application context.
 */
public class TestContext extends Context {
    private final String packageName;
    private final ContentResolver resolver;

    public TestContext() {
        this("app.ringback");
    }

    public TestContext(String packageName) {
        this.packageName = packageName;
        this.resolver = new ContentResolver(this) {};
    }

    @Override
    public ContentResolver getContentResolver() {
        return resolver;
    }

    @Override
    public String getPackageName() {
        return packageName;
    }

    @Override
    public Context getApplicationContext() {
        return this;
    }

    /** A folder of its own under java.io.tmpdir, made on first use. */
    @Override
    public java.io.File getCacheDir() {
        return World.cacheDir();
    }
}
