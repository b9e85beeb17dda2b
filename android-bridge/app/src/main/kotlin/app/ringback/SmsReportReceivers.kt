package app.ringback

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent

/** The PendingIntent actions and extras the Rust side puts on each part it sends. */
internal object SmsReports {
    /** `platform::android::ACTION_SMS_SENT`. */
    const val ACTION_SENT = "app.ringback.SMS_SENT"

    /** `platform::android::ACTION_SMS_DELIVERED`. */
    const val ACTION_DELIVERED = "app.ringback.SMS_DELIVERED"
    const val EXTRA_MESSAGE_ID = "message_id"
    const val EXTRA_PART = "part"
    const val EXTRA_PARTS = "parts"

    /** Filled in by SmsManager: the radio's error code on failure. */
    const val EXTRA_ERROR_CODE = "errorCode"

    /** Filled in by SmsManager on a delivery report: the status report PDU and its format. */
    const val EXTRA_PDU = "pdu"
    const val EXTRA_FORMAT = "format"
}

/** Which part of which outbound text a report is about. */
internal data class ReportedPart(val messageId: Long, val part: Int, val parts: Int) {
    companion object {
        /** The part an intent reports on; null for an intent that is not one of ours. */
        fun of(intent: Intent): ReportedPart? {
            val keys = listOf(SmsReports.EXTRA_MESSAGE_ID, SmsReports.EXTRA_PART, SmsReports.EXTRA_PARTS)
            if (!keys.all { intent.hasExtra(it) }) return null
            return ReportedPart(
                messageId = intent.getLongExtra(SmsReports.EXTRA_MESSAGE_ID, -1),
                part = intent.getIntExtra(SmsReports.EXTRA_PART, -1),
                parts = intent.getIntExtra(SmsReports.EXTRA_PARTS, -1),
            )
        }
    }
}

/** A part's "sent" report: the result code says whether the radio took it. */
class SmsSentReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != SmsReports.ACTION_SENT) return
        val sent = ReportedPart.of(intent) ?: return
        val result = resultCode
        val errorCode = SmsReports.EXTRA_ERROR_CODE
            .takeIf { intent.hasExtra(it) }
            ?.let { intent.getIntExtra(it, 0) }
        forward(context, "a sent report") {
            it.onSmsSent(sent.messageId, sent.part, sent.parts, result, errorCode)
        }
    }
}

/** A part's delivery report: the bridge reads the status from the PDU. */
class SmsDeliveredReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != SmsReports.ACTION_DELIVERED) return
        val delivered = ReportedPart.of(intent) ?: return
        val pdu = intent.getByteArrayExtra(SmsReports.EXTRA_PDU) ?: ByteArray(0)
        val format = intent.getStringExtra(SmsReports.EXTRA_FORMAT).orEmpty()
        forward(context, "a delivery report") {
            it.onSmsDelivered(delivered.messageId, delivered.part, delivered.parts, pdu, format)
        }
    }
}
