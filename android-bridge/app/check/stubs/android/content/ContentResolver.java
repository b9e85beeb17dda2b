package android.content;

import android.database.ContentObserver;
import android.net.Uri;
import androidx.annotation.NonNull;

/** Stub (API 1). */
public abstract class ContentResolver {
    public final void registerContentObserver(@NonNull Uri uri, boolean notifyForDescendants, @NonNull ContentObserver observer) { throw new RuntimeException("stub"); }
    public final void unregisterContentObserver(@NonNull ContentObserver observer) { throw new RuntimeException("stub"); }
}
