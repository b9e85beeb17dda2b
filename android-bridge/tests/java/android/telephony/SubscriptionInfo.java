package android.telephony;

/** Double of {@code android.telephony.SubscriptionInfo} (API 22). */
public class SubscriptionInfo {
    private final int subscriptionId;
    private final int simSlotIndex;
    private final CharSequence displayName;
    private final String iccId;

    /** Not Android API (its constructor is hidden): made by {@link ringback.doubles.World}. */
    public SubscriptionInfo(int subscriptionId, int simSlotIndex, CharSequence displayName, String iccId) {
        this.subscriptionId = subscriptionId;
        this.simSlotIndex = simSlotIndex;
        this.displayName = displayName;
        this.iccId = iccId;
    }

    /** API 22. */
    public int getSubscriptionId() {
        return subscriptionId;
    }

    /** API 22. */
    public int getSimSlotIndex() {
        return simSlotIndex;
    }

    /** API 22. */
    public CharSequence getDisplayName() {
        return displayName;
    }

    /** API 22 (empty from API 29 without carrier privileges). */
    public String getIccId() {
        return iccId;
    }
}
