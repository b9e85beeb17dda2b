package android.provider;

import android.net.Uri;

/** Double of {@code android.provider.ContactsContract} (API 5): only the phone lookup's address. */
public final class ContactsContract {
    private ContactsContract() {}

    /** Double of {@code android.provider.ContactsContract.PhoneLookup} (API 5). */
    public static final class PhoneLookup {
        /** API 5. */
        public static final Uri CONTENT_FILTER_URI = Uri.parse("content://com.android.contacts/phone_lookup");

        private PhoneLookup() {}
    }
}
