package android.provider;

import android.net.Uri;

/** Double of {@code android.provider.ContactsContract} (API 5). */
public final class ContactsContract {
    /** API 5. */
    public static final String AUTHORITY = "com.android.contacts";
    /** API 5. */
    public static final Uri AUTHORITY_URI = Uri.parse("content://" + AUTHORITY);

    private ContactsContract() {}

    /** Double of {@code android.provider.ContactsContract.PhoneLookup} (API 5). */
    public static final class PhoneLookup implements BaseColumns {
        /** API 5. */
        public static final Uri CONTENT_FILTER_URI = Uri.withAppendedPath(AUTHORITY_URI, "phone_lookup");
        /** API 5 (ContactsColumns). */
        public static final String DISPLAY_NAME = "display_name";

        private PhoneLookup() {}
    }
}
