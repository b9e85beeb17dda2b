package android.telephony;

/** Stub of android.telephony.SignalStrength. */
public class SignalStrength {
    /** API 23: 0 (none) to 4 (great). */
    public int getLevel() { throw new RuntimeException("stub"); }
}
