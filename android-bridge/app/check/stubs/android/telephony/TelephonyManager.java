package android.telephony;

/** Stub of android.telephony.TelephonyManager: the PHONE_STATE broadcast's names. */
public class TelephonyManager {
    /** API 3. */
    public static final String ACTION_PHONE_STATE_CHANGED = "android.intent.action.PHONE_STATE";
    /** API 3. */
    public static final String EXTRA_STATE = "state";
    /** API 3; the SDK computes these three, so they are not compile-time constants. */
    public static final String EXTRA_STATE_RINGING = stubString();
    public static final String EXTRA_STATE_OFFHOOK = stubString();
    public static final String EXTRA_STATE_IDLE = stubString();
    /** API 3, deprecated in API 29. */
    @Deprecated
    public static final String EXTRA_INCOMING_NUMBER = "incoming_number";

    /** API 24. */
    public TelephonyManager createForSubscriptionId(int subId) { throw new RuntimeException("stub"); }

    /** API 26. */
    @androidx.annotation.Nullable
    public ServiceState getServiceState() { throw new RuntimeException("stub"); }

    /** API 28. */
    @androidx.annotation.Nullable
    public SignalStrength getSignalStrength() { throw new RuntimeException("stub"); }

    /** API 1: the SIM's ISO country code, lower case, or "" when unknown. */
    public String getSimCountryIso() { throw new RuntimeException("stub"); }

    /** API 31. */
    public void registerTelephonyCallback(
            @androidx.annotation.NonNull java.util.concurrent.Executor executor,
            @androidx.annotation.NonNull TelephonyCallback callback) { throw new RuntimeException("stub"); }

    /** API 31. */
    public void unregisterTelephonyCallback(@androidx.annotation.NonNull TelephonyCallback callback) {
        throw new RuntimeException("stub");
    }

    /** API 1; deprecated in API 31 for registerTelephonyCallback. */
    @Deprecated
    public void listen(PhoneStateListener listener, int events) { throw new RuntimeException("stub"); }

    private static String stubString() { throw new RuntimeException("stub"); }
}
