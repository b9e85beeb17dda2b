package app.ringback.robo.shell;

import android.content.ContentProvider;
import android.content.ContentValues;
import android.database.Cursor;
import android.database.sqlite.SQLiteDatabase;
import android.net.Uri;
import org.robolectric.Robolectric;

/**
 * The call log as a real ContentProvider (authority {@code call_log}, table {@code calls}) over
 * an in-memory SQLite database with the framework's column names, so the bridge's query runs
 * its selection, projection and order for real: a wrong column name fails as on a phone.
 */
public final class CallLogProvider extends ContentProvider {
  private SQLiteDatabase db;

  /** Registers a fresh call log for this test. */
  static CallLogProvider install() {
    return Robolectric.setupContentProvider(CallLogProvider.class, "call_log");
  }

  @Override
  public boolean onCreate() {
    db = SQLiteDatabase.create(null);
    db.execSQL(
        "CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, type INTEGER, date INTEGER,"
            + " duration INTEGER, subscription_id TEXT, new INTEGER DEFAULT 1)");
    return true;
  }

  /** Adds a call (CallLog.Calls.TYPE: 3 missed) and notifies observers, as the dialer does. */
  void addCall(long id, String number, int type, long dateMs, String subscriptionId) {
    ContentValues row = new ContentValues();
    row.put("_id", id);
    row.put("number", number);
    row.put("type", type);
    row.put("date", dateMs);
    row.put("duration", 0);
    row.put("subscription_id", subscriptionId);
    db.insertOrThrow("calls", null, row);
    getContext().getContentResolver().notifyChange(android.provider.CallLog.Calls.CONTENT_URI, null);
  }

  @Override
  public Cursor query(Uri uri, String[] projection, String selection, String[] args, String sortOrder) {
    return db.query("calls", projection, selection, args, null, null, sortOrder);
  }

  @Override
  public String getType(Uri uri) {
    return null;
  }

  @Override
  public Uri insert(Uri uri, ContentValues values) {
    throw new UnsupportedOperationException("the bridge never writes the call log");
  }

  @Override
  public int delete(Uri uri, String selection, String[] args) {
    throw new UnsupportedOperationException("the bridge never writes the call log");
  }

  @Override
  public int update(Uri uri, ContentValues values, String selection, String[] args) {
    throw new UnsupportedOperationException("the bridge never writes the call log");
  }
}
