package android.telephony;

import androidx.annotation.Nullable;

/** Stub of android.telephony.SmsMessage (API 4). */
public class SmsMessage {
    @Nullable public String getOriginatingAddress() { throw new RuntimeException("stub"); }
    @Nullable public String getMessageBody() { throw new RuntimeException("stub"); }
    public long getTimestampMillis() { throw new RuntimeException("stub"); }
}
