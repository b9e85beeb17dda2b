package android.content;

import android.database.Cursor;
import android.net.Uri;
import ringback.doubles.World;

/**
 * Double of {@code android.content.ContentResolver} (API 1). The real class is abstract with a
 * final {@code query}; here {@code query} answers from {@link World}'s providers.
 */
public abstract class ContentResolver {
    private final Context context;

    /** API 1. */
    public ContentResolver(Context context) {
        this.context = context;
    }

    /**
     * API 1. Answers from {@link World}: the call log and the contacts' phone lookup; {@code null} for an unknown (or {@link World#removeProvider removed})
     * authority, as the real resolver does when no provider is installed.
     */
    public final Cursor query(
            Uri uri, String[] projection, String selection, String[] selectionArgs, String sortOrder) {
        return World.query(uri, projection, selection, selectionArgs, sortOrder);
    }

}
