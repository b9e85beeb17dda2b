package app.ringback.robo.platform;

import android.Manifest;
import android.provider.CallLog;

/** {@code content://call_log/calls} with {@link CallLog.Calls}' columns. */
public final class CallLogProvider extends SqlProvider {
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
