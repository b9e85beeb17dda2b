// Generated from android-bridge/src/report.rs; do not edit. After changing a name there,
// run `UPDATE_KOTLIN=1 cargo test -p ringback-bridge --lib report` to rewrite this file.
package app.ringback

/** The action and extras the Rust side puts on each part's report PendingIntents. */
internal object SmsReports {
    /** The action of a part's "sent" report. */
    const val ACTION_SENT = "app.ringback.SMS_SENT"

    /** The action of a part's delivery report. */
    const val ACTION_DELIVERED = "app.ringback.SMS_DELIVERED"

    /** The outbound message's id (long). */
    const val EXTRA_MESSAGE_ID = "message_id"

    /** The part's index, from 0 (int). */
    const val EXTRA_PART = "part"

    /** The action of a picture message's "sent" report. */
    const val ACTION_MMS_SENT = "app.ringback.MMS_SENT"

    /** SmsManager.EXTRA_MMS_DATA: the carrier's answer, an m-send-conf PDU (bytes). */
    const val EXTRA_MMS_DATA = "android.telephony.extra.MMS_DATA"

    /** The cache folder of the picture messages to send, served by MmsPduProvider. */
    const val MMS_OUT_FOLDER = "mms-out"

    /** How many parts the text has (int). */
    const val EXTRA_PARTS = "parts"
}
