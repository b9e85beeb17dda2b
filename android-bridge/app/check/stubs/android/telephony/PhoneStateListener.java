package android.telephony;

/** Stub of android.telephony.PhoneStateListener (API 1; deprecated in API 31 for TelephonyCallback). */
@Deprecated
public class PhoneStateListener {
    /** API 1. */
    public static final int LISTEN_NONE = 0;
    /** API 1. */
    public static final int LISTEN_SERVICE_STATE = 0x00000001;

    /** API 1: callbacks on the calling thread's Looper. Deprecated in API 31. */
    @Deprecated
    public PhoneStateListener() { throw new RuntimeException("stub"); }

    /** API 1. Deprecated in API 31. */
    @Deprecated
    public void onServiceStateChanged(ServiceState serviceState) { throw new RuntimeException("stub"); }
}
