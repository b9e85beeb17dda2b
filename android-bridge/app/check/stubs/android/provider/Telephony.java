package android.provider;

import android.content.Intent;
import android.net.Uri;
import android.telephony.SmsMessage;

/** Stub of android.provider.Telephony (API 19). */
public final class Telephony {
    public static final class Sms {
        public static final Uri CONTENT_URI = null;

        /** API 19. */
        @androidx.annotation.Nullable
        public static String getDefaultSmsPackage(android.content.Context context) { throw new RuntimeException("stub"); }

        public static final class Intents {
            public static final String SMS_RECEIVED_ACTION = "android.provider.Telephony.SMS_RECEIVED";

            public static SmsMessage[] getMessagesFromIntent(Intent intent) { throw new RuntimeException("stub"); }
        }
    }

    /** API 19. */
    public static final class Mms {
        public static final Uri CONTENT_URI = null;
    }

    /** API 19. */
    public static final class MmsSms {
        public static final Uri CONTENT_URI = null;
    }
}
