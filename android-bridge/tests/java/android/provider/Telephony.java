package android.provider;

import android.net.Uri;

/** Double of {@code android.provider.Telephony} (API 19). */
public final class Telephony {
    private Telephony() {}

    /** Double of {@code android.provider.Telephony.Sms} (API 19). */
    public static final class Sms implements BaseColumns {
        /** API 19. */
        public static final Uri CONTENT_URI = Uri.parse("content://sms");
        /** API 19. */
        public static final String ADDRESS = "address";
        /** API 19. */
        public static final String BODY = "body";
        /** API 19. */
        public static final String TYPE = "type";
        /** API 19. */
        public static final String DATE = "date";
        /** API 19. */
        public static final String DATE_SENT = "date_sent";
        /** API 22. */
        public static final String SUBSCRIPTION_ID = "sub_id";
        /** API 19. */
        public static final int MESSAGE_TYPE_INBOX = 1;
        /** API 19. */
        public static final int MESSAGE_TYPE_SENT = 2;
        /** API 19. */
        public static final int MESSAGE_TYPE_DRAFT = 3;
        /** API 19. */
        public static final int MESSAGE_TYPE_OUTBOX = 4;
        /** API 19. */
        public static final int MESSAGE_TYPE_FAILED = 5;
        /** API 19. */
        public static final int MESSAGE_TYPE_QUEUED = 6;

        private Sms() {}
    }

    /** Double of {@code android.provider.Telephony.Mms} (API 19). */
    public static final class Mms implements BaseColumns {
        /** API 19. */
        public static final Uri CONTENT_URI = Uri.parse("content://mms");
        /** API 19. */
        public static final int MESSAGE_BOX_INBOX = 1;
        /** API 19. */
        public static final int MESSAGE_BOX_SENT = 2;

        private Mms() {}
    }
}
