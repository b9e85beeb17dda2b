package app.ringback

import android.app.Activity
import android.os.Bundle
import android.text.InputType
import android.util.Log
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import app.ringback.bridge.BridgeException
import com.google.mlkit.vision.barcode.common.Barcode
import com.google.mlkit.vision.codescanner.GmsBarcodeScannerOptions
import com.google.mlkit.vision.codescanner.GmsBarcodeScanning
import kotlinx.coroutines.launch

/**
 * Pairs with a desktop: scan the QR code it shows (Google's code scanner, which needs no
 * camera permission here) or type the short code printed under it.
 */
class PairActivity : Activity() {
    private lateinit var codeField: EditText
    private lateinit var outcome: TextView
    private lateinit var buttons: List<Button>

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val (root, page) = screen()
        page.text(getString(R.string.pair_title), Look.TITLE)
        page.text(getString(R.string.pair_how))
        val scan = page.button(getString(R.string.pair_scan)) { scan() }
        page.text(getString(R.string.pair_or_type), Look.HEADING)
        codeField = page.textField(
            getString(R.string.pair_code_hint),
            inputType = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS,
        )
        val pair = page.button(getString(R.string.pair_button), ButtonLook.OUTLINED) {
            pair(codeField.text?.toString().orEmpty())
        }
        outcome = page.text("")
        buttons = listOf(scan, pair)
        setContentView(root)
    }

    private fun scan() {
        val options = GmsBarcodeScannerOptions.Builder()
            .setBarcodeFormats(Barcode.FORMAT_QR_CODE)
            .build()
        GmsBarcodeScanning.getClient(this, options)
            .startScan()
            .addOnSuccessListener { barcode ->
                val value = barcode.rawValue
                if (value.isNullOrBlank()) show(getString(R.string.pair_scan_unreadable)) else pair(value)
            }
            .addOnFailureListener { show(getString(R.string.pair_scan_failed)) }
    }

    private fun pair(code: String) {
        if (code.isBlank()) {
            show(getString(R.string.pair_code_empty))
            return
        }
        busy(true)
        show(getString(R.string.pair_connecting))
        val app = applicationContext
        BridgeHolder.screenScope.launch {
            val message = try {
                val bridge = BridgeHolder.get(app)
                if (bridge == null) {
                    BridgeHolder.startProblem ?: app.getString(R.string.status_not_running)
                } else {
                    // The computer shows the same fingerprint beside this phone's name: the
                    // person there compares the two before pressing Accept. `pair` suspends
                    // until then, leaving the screens' thread to the status screen.
                    val fingerprint = bridge.status().fingerprint
                    runOnUiThread {
                        if (!isDestroyed) show(app.getString(R.string.pair_waiting, fingerprint))
                    }
                    app.getString(R.string.pair_done, bridge.pair(code.trim()).name)
                }
            } catch (e: BridgeException) {
                e.message ?: app.getString(R.string.pair_failed)
            } catch (e: Exception) {
                Log.w(TAG, "pairing failed", e)
                app.getString(R.string.pair_failed)
            }
            runOnUiThread {
                if (isDestroyed) return@runOnUiThread
                busy(false)
                show(message)
            }
        }
    }

    private fun busy(on: Boolean) = buttons.forEach { it.isEnabled = !on }

    private fun show(message: String) {
        outcome.text = message
    }
}
