package android.telephony;

import androidx.annotation.NonNull;

/** Stub of android.telephony.TelephonyCallback (API 31). */
public class TelephonyCallback {
    public TelephonyCallback() { throw new RuntimeException("stub"); }

    /** API 31. */
    public interface ServiceStateListener {
        void onServiceStateChanged(@NonNull ServiceState serviceState);
    }
}
