package app.ringback

import android.content.BroadcastReceiver
import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.content.Intent
import android.database.Cursor
import android.net.Uri
import android.os.ParcelFileDescriptor
import java.io.File
import java.io.FileNotFoundException

/**
 * A picture message's "sent" report: SmsManager's result code and the carrier's answer
 * (an m-send-conf PDU), which the bridge reads into sent or a failure in words.
 */
class MmsSentReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != SmsReports.ACTION_MMS_SENT) return
        if (!intent.hasExtra(SmsReports.EXTRA_MESSAGE_ID)) return
        val messageId = intent.getLongExtra(SmsReports.EXTRA_MESSAGE_ID, -1)
        val result = resultCode
        val sendConf = intent.getByteArrayExtra(SmsReports.EXTRA_MMS_DATA) ?: ByteArray(0)
        forward(context, "a picture message's sent report") {
            it.onMmsSent(messageId, result, sendConf)
        }
    }
}

/**
 * Serves the picture messages the bridge composed (`cache/mms-out/ID.pdu`) to
 * `SmsManager.sendMultimediaMessage`, which grants the telephony stack this URI for the
 * send. Not exported; read-only; only names of that form, so no other file can be reached.
 */
class MmsPduProvider : ContentProvider() {
    override fun onCreate(): Boolean = true

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        if (mode != "r") throw SecurityException("picture messages to send are read-only")
        val segments = uri.pathSegments
        val name = segments.getOrNull(1)
        if (segments.size != 2 || segments[0] != SmsReports.MMS_OUT_FOLDER || name == null ||
            !PDU_NAME.matches(name)
        ) {
            throw FileNotFoundException("no picture message at $uri")
        }
        val app = context ?: throw FileNotFoundException("the provider is not attached yet")
        val file = File(File(app.cacheDir, SmsReports.MMS_OUT_FOLDER), name)
        if (!file.isFile) throw FileNotFoundException("the picture message $name is gone")
        return ParcelFileDescriptor.open(file, ParcelFileDescriptor.MODE_READ_ONLY)
    }

    override fun getType(uri: Uri): String = "application/vnd.wap.mms-message"

    override fun query(
        uri: Uri,
        projection: Array<out String>?,
        selection: String?,
        selectionArgs: Array<out String>?,
        sortOrder: String?,
    ): Cursor? = null

    override fun insert(uri: Uri, values: ContentValues?): Uri? = null

    override fun delete(uri: Uri, selection: String?, selectionArgs: Array<out String>?): Int = 0

    override fun update(
        uri: Uri,
        values: ContentValues?,
        selection: String?,
        selectionArgs: Array<out String>?,
    ): Int = 0

    private companion object {
        /** What the bridge names a PDU: the message id and ".pdu". */
        val PDU_NAME = Regex("[0-9]{1,19}\\.pdu")
    }
}
