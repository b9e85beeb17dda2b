package app.ringback

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.provider.Telephony
import android.telephony.SubscriptionManager
import app.ringback.bridge.ReceivedSms

/** `SMS_RECEIVED`: one text, its parts joined, handed to the bridge. */
class SmsReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != Telephony.Sms.Intents.SMS_RECEIVED_ACTION) return
        val parts = Telephony.Sms.Intents.getMessagesFromIntent(intent)?.filterNotNull().orEmpty()
        val from = parts.firstNotNullOfOrNull { it.originatingAddress } ?: return
        val sms = ReceivedSms(
            from = from,
            body = parts.joinToString("") { it.messageBody.orEmpty() },
            subscriptionId = subscriptionId(intent),
            sentAtMillis = parts.minOf { it.timestampMillis },
        )
        forward(context, "a received text") { it.onSmsReceived(sms) }
    }

    /** The SIM it came in on: the API 30 extra, else the older "subscription" one. */
    private fun subscriptionId(intent: Intent): Int? =
        listOf(SubscriptionManager.EXTRA_SUBSCRIPTION_INDEX, LEGACY_SUBSCRIPTION_EXTRA)
            .firstOrNull { intent.hasExtra(it) }
            ?.let { intent.getIntExtra(it, SubscriptionManager.INVALID_SUBSCRIPTION_ID) }
            ?.takeIf { it != SubscriptionManager.INVALID_SUBSCRIPTION_ID }

    private companion object {
        /** `PhoneConstants.SUBSCRIPTION_KEY`, what Android put in the intent before API 30. */
        const val LEGACY_SUBSCRIPTION_EXTRA = "subscription"
    }
}
