package android.provider;

import android.net.Uri;

/** Double of {@code android.provider.CallLog} (API 1). */
public class CallLog {
    /** API 1. */
    public static final String AUTHORITY = "call_log";

    /** Double of {@code android.provider.CallLog.Calls} (API 1). */
    public static class Calls implements BaseColumns {
        /** API 1. */
        public static final Uri CONTENT_URI = Uri.parse("content://call_log/calls");
        /** API 1. */
        public static final String NUMBER = "number";
        /** API 1. */
        public static final String TYPE = "type";
        /** API 1. */
        public static final String DATE = "date";
        /** API 1. */
        public static final String DURATION = "duration";
        /** API 21. */
        public static final String PHONE_ACCOUNT_ID = "subscription_id";
        /** API 1. */
        public static final int INCOMING_TYPE = 1;
        /** API 1. */
        public static final int OUTGOING_TYPE = 2;
        /** API 1. */
        public static final int MISSED_TYPE = 3;
        /** API 21. */
        public static final int VOICEMAIL_TYPE = 4;
        /** API 24. */
        public static final int REJECTED_TYPE = 5;
        /** API 24. */
        public static final int BLOCKED_TYPE = 6;
        /** API 25. */
        public static final int ANSWERED_EXTERNALLY_TYPE = 7;
    }
}
