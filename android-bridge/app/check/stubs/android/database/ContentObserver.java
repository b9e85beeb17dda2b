package android.database;

import android.os.Handler;

/** Stub of android.database.ContentObserver (API 1). */
public abstract class ContentObserver {
    public ContentObserver(Handler handler) { throw new RuntimeException("stub"); }
    public void onChange(boolean selfChange) { throw new RuntimeException("stub"); }
}
