package app.ringback

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent

/**
 * What SmsManager adds to the report intents (the action and our own extras are in the
 * generated [SmsReports]).
 */
private object RadioExtras {
    /** On a failed part: the radio's error code. */
    const val ERROR_CODE = "errorCode"

    /** On a delivery report: the status report PDU and its format. */
    const val PDU = "pdu"
    const val FORMAT = "format"
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
        val errorCode = RadioExtras.ERROR_CODE
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
        val pdu = intent.getByteArrayExtra(RadioExtras.PDU) ?: ByteArray(0)
        val format = intent.getStringExtra(RadioExtras.FORMAT).orEmpty()
        forward(context, "a delivery report") {
            it.onSmsDelivered(delivered.messageId, delivered.part, delivered.parts, pdu, format)
        }
    }
}
