package android.telephony;

/** Stub of android.telephony.ServiceState. */
public class ServiceState {
    /** API 1. */
    public static final int STATE_IN_SERVICE = 0;
    /** API 1. */
    public static final int STATE_OUT_OF_SERVICE = 1;
    /** API 1. */
    public static final int STATE_EMERGENCY_ONLY = 2;
    /** API 1. */
    public static final int STATE_POWER_OFF = 3;

    /** API 1. */
    public int getState() { throw new RuntimeException("stub"); }
}
