package android.app;

import android.content.ContextWrapper;

/** Stub (API 1). */
public class Application extends ContextWrapper {
    public Application() { super(null); throw new RuntimeException("stub"); }

    public void onCreate() { throw new RuntimeException("stub"); }
}
