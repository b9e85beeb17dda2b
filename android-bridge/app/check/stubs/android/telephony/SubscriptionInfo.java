package android.telephony;

/** Stub of android.telephony.SubscriptionInfo. */
public class SubscriptionInfo {
    /** API 22. */
    public int getSubscriptionId() { throw new RuntimeException("stub"); }

    /** API 22. */
    public CharSequence getCarrierName() { throw new RuntimeException("stub"); }
}
