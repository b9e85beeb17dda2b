package app.ringback.robo.platform;

import android.Manifest;
import android.content.ContentValues;
import android.provider.CallLog;
import org.robolectric.Robolectric;

/** {@code content://call_log/calls} with {@link CallLog.Calls}' columns. */
public final class CallLogProvider extends SqlProvider {
  /** Registers a fresh call log at the framework's authority for this test. */
  public static CallLogProvider install() {
    return Robolectric.setupContentProvider(CallLogProvider.class, CallLog.AUTHORITY);
  }

  /**
   * Adds a call (type: {@link CallLog.Calls#MISSED_TYPE} and so on; {@code account}: the
   * SIM's subscription id or ICCID, as the dialer writes it) and notifies observers of
   * {@link CallLog.Calls#CONTENT_URI}, as the dialer does.
   */
  public void addCall(
      long id, String number, int type, long dateMs, long durationSeconds, String account) {
    ContentValues row = new ContentValues();
    row.put(CallLog.Calls._ID, id);
    row.put(CallLog.Calls.NUMBER, number);
    row.put(CallLog.Calls.TYPE, type);
    row.put(CallLog.Calls.DATE, dateMs);
    row.put(CallLog.Calls.DURATION, durationSeconds);
    row.put(CallLog.Calls.PHONE_ACCOUNT_ID, account);
    insert(CallLog.Calls.CONTENT_URI, row);
    getContext().getContentResolver().notifyChange(CallLog.Calls.CONTENT_URI, null);
  }

  @Override
  String table() {
    return "calls";
  }

  @Override
  String schema() {
    return "CREATE TABLE calls ("
        + CallLog.Calls._ID + " INTEGER PRIMARY KEY, "
        + CallLog.Calls.NUMBER + " TEXT, "
        + CallLog.Calls.TYPE + " INTEGER NOT NULL, "
        + CallLog.Calls.DATE + " INTEGER, "
        + CallLog.Calls.DURATION + " INTEGER, "
        + CallLog.Calls.PHONE_ACCOUNT_ID + " TEXT)";
  }

  @Override
  String readPermission() {
    return Manifest.permission.READ_CALL_LOG;
  }
}
