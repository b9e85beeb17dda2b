package android.provider;

import android.net.Uri;

/** Double of {@code android.provider.Telephony} (API 19): only the MMS provider's address. */
public final class Telephony {
    private Telephony() {}

    /** Double of {@code android.provider.Telephony.Mms} (API 19). */
    public static final class Mms {
        /** API 19. */
        public static final Uri CONTENT_URI = Uri.parse("content://mms");

        private Mms() {}
    }
}
