package android.content;

import android.database.Cursor;
import android.net.Uri;
import android.os.ParcelFileDescriptor;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

/** Stub of android.content.ContentProvider (API 1): the members the app uses. */
public abstract class ContentProvider {
    public ContentProvider() { throw new RuntimeException("stub"); }

    @Nullable public final Context getContext() { throw new RuntimeException("stub"); }

    public abstract boolean onCreate();

    @Nullable
    public abstract Cursor query(@NonNull Uri uri, @Nullable String[] projection, @Nullable String selection,
            @Nullable String[] selectionArgs, @Nullable String sortOrder);

    @Nullable public abstract String getType(@NonNull Uri uri);

    @Nullable public abstract Uri insert(@NonNull Uri uri, @Nullable ContentValues values);

    public abstract int delete(@NonNull Uri uri, @Nullable String selection, @Nullable String[] selectionArgs);

    public abstract int update(@NonNull Uri uri, @Nullable ContentValues values, @Nullable String selection,
            @Nullable String[] selectionArgs);

    @Nullable
    public ParcelFileDescriptor openFile(@NonNull Uri uri, @NonNull String mode) throws java.io.FileNotFoundException {
        throw new RuntimeException("stub");
    }
}
