package android.telephony;

import android.app.PendingIntent;
import android.content.Context;
import android.net.Uri;
import android.os.Bundle;
import java.util.ArrayList;
import ringback.doubles.World;

/**
 * Double of {@code android.telephony.SmsManager} (API 1). Sends are recorded in {@link World}.
 *
 * <p>{@link #divideMessage} splits simply: a text of printable ASCII (and CR, LF) counts as GSM
 * 7-bit, with {@code [ ] { } \ ^ ~ | €} taking two septets; it is one part up to 160 septets,
 * else parts of at most 153. Any other text is one part up to 70 UTF-16 units, else parts of
 * at most 67 (a surrogate pair is never split). Real Android also knows national tables and
 * the full GSM alphabet; the counts are the same for the texts the tests use.
 */
public final class SmsManager {
    private final int subscriptionId;

    private SmsManager(int subscriptionId) {
        this.subscriptionId = subscriptionId;
    }

    /** API 1 (deprecated in 31). Records sends under {@link World#DEFAULT_SUBSCRIPTION}. */
    public static SmsManager getDefault() {
        World.maybeThrow("getDefault");
        return new SmsManager(World.DEFAULT_SUBSCRIPTION);
    }

    /**
     * API 22 (deprecated in 31). Like Android, any id is accepted here; a switch in
     * {@link World#throwOnNext} makes it fail.
     */
    public static SmsManager getSmsManagerForSubscriptionId(int subId) {
        World.maybeThrow("getSmsManagerForSubscriptionId");
        return new SmsManager(subId);
    }

    /** API 22. */
    public int getSubscriptionId() {
        return subscriptionId;
    }

    /** API 1. */
    public ArrayList<String> divideMessage(String text) {
        World.maybeThrow("divideMessage");
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        return World.divide(text);
    }

    /** API 4. */
    public void sendMultipartTextMessage(
            String destinationAddress,
            String scAddress,
            ArrayList<String> parts,
            ArrayList<PendingIntent> sentIntents,
            ArrayList<PendingIntent> deliveryIntents) {
        World.maybeThrow("sendMultipartTextMessage");
        if (destinationAddress == null || destinationAddress.isEmpty()) {
            throw new IllegalArgumentException("Invalid destinationAddress");
        }
        if (parts == null || parts.size() < 1) {
            throw new IllegalArgumentException("Invalid message body");
        }
        World.recordSend(subscriptionId, destinationAddress, parts);
    }

    /** API 21. The content URI is read later by the telephony stack; here it is recorded. */
    public void sendMultimediaMessage(
            Context context, Uri contentUri, String locationUrl, Bundle configOverrides, PendingIntent sentIntent) {
        World.maybeThrow("sendMultimediaMessage");
        if (contentUri == null) {
            throw new IllegalArgumentException("Uri contentUri null");
        }
        World.recordMmsSend(subscriptionId, contentUri.toString(), locationUrl, configOverrides != null);
    }
}
