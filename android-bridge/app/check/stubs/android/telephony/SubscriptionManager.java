package android.telephony;

/** Stub of android.telephony.SubscriptionManager. */
public class SubscriptionManager {
    /** API 22. */
    public static final int INVALID_SUBSCRIPTION_ID = -1;
    /** API 30. */
    public static final String EXTRA_SUBSCRIPTION_INDEX = "android.telephony.extra.SUBSCRIPTION_INDEX";

    /** API 22. */
    @androidx.annotation.Nullable
    public java.util.List<SubscriptionInfo> getActiveSubscriptionInfoList() { throw new RuntimeException("stub"); }
}
