package app.ringback.robo.platform;

import android.content.ContentProvider;
import android.content.ContentUris;
import android.content.ContentValues;
import android.content.pm.PackageManager;
import android.database.Cursor;
import android.database.sqlite.SQLiteDatabase;
import android.net.Uri;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real {@link ContentProvider} over an in-memory SQLite table whose columns are named by the
 * framework's own constants, as the phone's providers are: a projection, selection or sort
 * order naming a column the framework does not have fails the query ("no such column"), as
 * it would on a phone. Like the real providers it refuses readers without its permission.
 */
abstract class SqlProvider extends CountingProvider {
  /** One query as the provider received it. */
  static final class Query {
    final Uri uri;
    final List<String> projection;
    final String selection;
    final List<String> selectionArgs;
    final String sortOrder;

    Query(Uri uri, String[] projection, String selection, String[] args, String sortOrder) {
      this.uri = uri;
      this.projection = projection == null ? null : Arrays.asList(projection);
      this.selection = selection;
      this.selectionArgs = args == null ? null : Arrays.asList(args);
      this.sortOrder = sortOrder;
    }
  }

  final List<Query> queries = new ArrayList<>();
  private SQLiteDatabase db;

  /** The table's name. */
  abstract String table();

  /** {@code CREATE TABLE …} with the framework's column names. */
  abstract String schema();

  /** The permission a reader needs (the real provider's read permission). */
  abstract String readPermission();

  @Override
  public boolean onCreate() {
    db = SQLiteDatabase.create(null);
    db.execSQL(schema());
    return true;
  }

  @Override
  public Cursor query(
      Uri uri, String[] projection, String selection, String[] args, String sortOrder) {
    if (getContext().checkCallingOrSelfPermission(readPermission())
        != PackageManager.PERMISSION_GRANTED) {
      throw new SecurityException(
          "Permission Denial: reading " + getClass().getName() + " uri " + uri + " requires "
              + readPermission());
    }
    queries.add(new Query(uri, projection, selection, args, sortOrder));
    Cursor cursor = db.query(table(), projection, selection, args, null, null, sortOrder);
    return handOut(cursor);
  }

  /** Closes the database (Robolectric never shuts providers down; the test does). */
  @Override
  public void shutdown() {
    db.close();
  }

  Query lastQuery() {
    return queries.get(queries.size() - 1);
  }

  @Override
  public Uri insert(Uri uri, ContentValues values) {
    return ContentUris.withAppendedId(uri, db.insertOrThrow(table(), null, values));
  }

  @Override
  public int delete(Uri uri, String selection, String[] selectionArgs) {
    return db.delete(table(), selection, selectionArgs);
  }

  @Override
  public int update(Uri uri, ContentValues values, String selection, String[] selectionArgs) {
    return db.update(table(), values, selection, selectionArgs);
  }
}
