package android.provider;

import android.net.Uri;

/** Double of {@code android.provider.CallLog} (API 1): only the call log's address. */
public class CallLog {
    /** Double of {@code android.provider.CallLog.Calls} (API 1). */
    public static class Calls {
        /** API 1. */
        public static final Uri CONTENT_URI = Uri.parse("content://call_log/calls");
    }
}
