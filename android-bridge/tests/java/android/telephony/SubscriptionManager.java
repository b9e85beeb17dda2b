package android.telephony;

import android.content.Context;
import java.util.List;
import ringback.doubles.World;

/** Double of {@code android.telephony.SubscriptionManager} (API 22). */
public class SubscriptionManager {
    private SubscriptionManager() {}

    /** API 22. */
    public static SubscriptionManager from(Context context) {
        if (context == null) {
            throw new NullPointerException("context");
        }
        return new SubscriptionManager();
    }

    /**
     * API 22; needs READ_PHONE_STATE (a SecurityException without it, see
     * {@link World#throwOnNext}); null when no SIM is active on older releases
     * ({@link World#setSubscriptionListNull}).
     */
    public List<SubscriptionInfo> getActiveSubscriptionInfoList() {
        World.maybeThrow("getActiveSubscriptionInfoList");
        return World.activeSubscriptions();
    }
}
