package app.ringback.robo.platform;

import android.content.ContentProvider;
import android.content.ContentValues;
import android.database.Cursor;
import android.net.Uri;
import java.util.ArrayList;
import java.util.List;

/**
 * A test {@link ContentProvider} that keeps the cursors it hands out, so a test can tell that
 * the code under test closed every one. Writing is not part of these tests unless a subclass
 * says otherwise.
 */
public abstract class CountingProvider extends ContentProvider {
  private final List<Cursor> cursors = new ArrayList<>();

  /** Hands {@code cursor} out, kept for {@link #openCursors}. */
  final <C extends Cursor> C handOut(C cursor) {
    cursors.add(cursor);
    return cursor;
  }

  /** Cursors handed out and not closed yet. */
  public int openCursors() {
    int open = 0;
    for (Cursor cursor : cursors) {
      if (!cursor.isClosed()) {
        open++;
      }
    }
    return open;
  }

  @Override
  public Uri insert(Uri uri, ContentValues values) {
    throw new UnsupportedOperationException("not in this test");
  }

  @Override
  public String getType(Uri uri) {
    return null;
  }

  @Override
  public int delete(Uri uri, String selection, String[] selectionArgs) {
    return 0;
  }

  @Override
  public int update(Uri uri, ContentValues values, String selection, String[] selectionArgs) {
    return 0;
  }
}
