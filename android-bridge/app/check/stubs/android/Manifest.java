package android;

/** Stub of android.Manifest: the permission names the app asks for. */
public final class Manifest {
    public static final class permission {
        /** API 16. */
        public static final String READ_CALL_LOG = "android.permission.READ_CALL_LOG";
        /** API 1. */
        public static final String READ_PHONE_STATE = "android.permission.READ_PHONE_STATE";
        /** API 1. */
        public static final String SEND_SMS = "android.permission.SEND_SMS";
        /** API 1. */
        public static final String RECEIVE_SMS = "android.permission.RECEIVE_SMS";
        /** API 1. */
        public static final String READ_SMS = "android.permission.READ_SMS";
        /** API 1. */
        public static final String READ_CONTACTS = "android.permission.READ_CONTACTS";
        /** API 33. */
        public static final String POST_NOTIFICATIONS = "android.permission.POST_NOTIFICATIONS";
    }
}
