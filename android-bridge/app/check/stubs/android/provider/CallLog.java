package android.provider;

import android.net.Uri;

/** Stub of android.provider.CallLog (API 1). */
public class CallLog {
    public static class Calls {
        public static final Uri CONTENT_URI = null;
    }
}
