package app.ringback.robo.platform;

import android.Manifest;
import android.provider.Telephony;

/** {@code content://sms} with {@link Telephony.Sms}' columns. */
public final class SmsProvider extends SqlProvider {
  @Override
  String table() {
    return "sms";
  }

  @Override
  String schema() {
    return "CREATE TABLE sms ("
        + Telephony.Sms._ID + " INTEGER PRIMARY KEY, "
        + Telephony.Sms.ADDRESS + " TEXT, "
        + Telephony.Sms.BODY + " TEXT, "
        + Telephony.Sms.TYPE + " INTEGER, "
        + Telephony.Sms.DATE + " INTEGER, "
        + Telephony.Sms.DATE_SENT + " INTEGER DEFAULT 0, "
        + Telephony.Sms.SUBSCRIPTION_ID + " INTEGER DEFAULT -1)";
  }

  @Override
  String readPermission() {
    return Manifest.permission.READ_SMS;
  }
}
