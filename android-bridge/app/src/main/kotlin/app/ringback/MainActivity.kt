package app.ringback

import android.app.Activity
import android.app.AlertDialog
import android.content.Intent
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import android.widget.LinearLayout
import android.widget.Switch
import app.ringback.bridge.Bridge
import app.ringback.bridge.BridgeStatus
import app.ringback.core.PeerLink
import app.ringback.core.PeerState
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle
import java.util.concurrent.atomic.AtomicBoolean

/** The status screen: the on/off switch, the desktops, the last missed call, what needs doing. */
class MainActivity : Activity() {
    private lateinit var enabledSwitch: Switch
    private lateinit var statusBox: LinearLayout
    private lateinit var checklistBox: LinearLayout
    private val handler = Handler(Looper.getMainLooper())
    private val loading = AtomicBoolean(false)
    private var shown: Pair<BridgeStatus?, String?>? = null

    /** Set while the switch is moved to match the bridge, so it does not echo back. */
    private var syncingSwitch = false


    private val refresh = object : Runnable {
        override fun run() {
            loadStatus()
            handler.postDelayed(this, REFRESH_MS)
        }
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        if (!ShellPrefs(this).onboarded) {
            startActivity(Intent(this, OnboardingActivity::class.java))
            finish()
            return
        }
        RingbackService.start(this)

        val (root, column) = screen()
        column.text(getString(R.string.app_name), Look.TITLE)
        enabledSwitch = Switch(this)
        enabledSwitch.text = getString(R.string.main_switch)
        enabledSwitch.setOnCheckedChangeListener { _, on -> if (!syncingSwitch) setEnabled(on) }
        column.addView(enabledSwitch)
        statusBox = column.card()
        checklistBox = column.card()
        setContentView(root)
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults)
        if (requestCode != PERMISSION_REQUEST) return
        showChecklist()
        RingbackService.start(this)
    }

    override fun onResume() {
        super.onResume()
        // Permissions and the battery exemption may have changed in Android's settings.
        showChecklist()
        handler.post(refresh)
    }

    override fun onPause() {
        handler.removeCallbacks(refresh)
        super.onPause()
    }

    private fun loadStatus() {
        if (!loading.compareAndSet(false, true)) return
        val app = applicationContext
        BridgeHolder.screens.execute {
            val result: Pair<BridgeStatus?, String?> = try {
                val bridge = BridgeHolder.get(app)
                if (bridge == null) null to BridgeHolder.startProblem else bridge.status() to null
            } catch (e: Exception) {
                // BridgeException says what to do; anything else is shown as it comes.
                null to (e.message ?: e.toString())
            } finally {
                loading.set(false)
            }
            runOnUiThread { if (!isDestroyed) showStatus(result) }
        }
    }

    private fun showStatus(result: Pair<BridgeStatus?, String?>) {
        if (result == shown) return
        shown = result
        val (status, problem) = result
        statusBox.removeAllViews()
        if (status == null) {
            statusBox.text(getString(R.string.status_not_running), Look.HEADING)
            problem?.let { statusBox.text(it) }
            enabledSwitch.isEnabled = false
            return
        }
        syncingSwitch = true
        enabledSwitch.isEnabled = status.running
        enabledSwitch.isChecked = status.enabled
        syncingSwitch = false

        statusBox.text(getString(R.string.status_desktops), Look.HEADING)
        if (status.desktops.isEmpty()) statusBox.text(getString(R.string.status_no_desktop))
        for (desktop in status.desktops) {
            statusBox.text(getString(R.string.status_desktop_line, desktop.name, connection(desktop)))
            statusBox.button(getString(R.string.status_unpair, desktop.name), ButtonLook.TEXT) { confirmUnpair(desktop) }
        }
        statusBox.button(getString(R.string.status_pair), ButtonLook.OUTLINED) {
            startActivity(Intent(this, PairActivity::class.java))
        }

        statusBox.text(getString(R.string.status_last_call), Look.HEADING)
        val call = status.lastMissedCall
        statusBox.text(
            if (call == null) {
                getString(R.string.status_no_call)
            } else {
                getString(R.string.status_call_line, call.caller, time(call.atMillis), call.action)
            },
        )

        if (status.problems.isNotEmpty()) {
            statusBox.text(getString(R.string.status_problems), Look.HEADING)
            status.problems.forEach { statusBox.text("• $it") }
        }
    }

    private fun connection(desktop: PeerState): String = when (val link = desktop.link) {
        is PeerLink.Direct, is PeerLink.Lan -> getString(R.string.status_connected)
        is PeerLink.Relay -> getString(R.string.status_connected_relay)
        is PeerLink.Offline -> getString(R.string.status_offline_since, time(link.sinceMs))
    }

    private fun setEnabled(on: Boolean) = onBridge { it.setEnabled(on) }

    private fun confirmUnpair(desktop: PeerState) {
        AlertDialog.Builder(this)
            .setTitle(getString(R.string.unpair_title, desktop.name))
            .setMessage(getString(R.string.unpair_message))
            .setPositiveButton(getString(R.string.unpair_confirm)) { _, _ -> onBridge { it.unpair(desktop.endpoint) } }
            .setNegativeButton(getString(R.string.cancel), null)
            .show()
    }

    /** Runs [call] off the main thread, then shows the status (or what went wrong). */
    private fun onBridge(call: (Bridge) -> Unit) {
        val app = applicationContext
        BridgeHolder.screens.execute {
            val problem = try {
                BridgeHolder.get(app)?.let(call)
                null
            } catch (e: Exception) {
                e.message ?: e.toString()
            }
            runOnUiThread {
                if (isDestroyed) return@runOnUiThread
                shown = null
                if (problem != null) {
                    AlertDialog.Builder(this).setMessage(problem).setPositiveButton(getString(R.string.ok), null).show()
                }
                loadStatus()
            }
        }
    }

    private fun showChecklist() {
        checklistBox.removeAllViews()
        checklistBox.text(getString(R.string.check_heading), Look.HEADING)
        val items = SetupChecklist.items(this)
        val missing = items.filter { it.state == ItemState.MISSING }
        if (missing.isEmpty()) checklistBox.text(getString(R.string.check_all_done))
        for (item in missing) {
            checklistBox.text(item.title, Look.HEADING)
            checklistBox.text(item.detail)
            when (val fix = item.fix) {
                is Fix.Grant -> checklistBox.button(getString(R.string.check_grant)) { askFor(fix.permission) }
                is Fix.Open -> checklistBox.button(getString(R.string.check_open)) { openFirst(fix.intents) }
                is Fix.MakerSetting -> {
                    if (fix.intents.isNotEmpty()) {
                        checklistBox.button(getString(R.string.check_open)) { openFirst(fix.intents) }
                    }
                    checklistBox.button(getString(R.string.check_maker_done), ButtonLook.TEXT) {
                        ShellPrefs(this).makerSettingDone = true
                        showChecklist()
                    }
                }
                null -> {}
            }
        }
        val done = items.filter { it.state == ItemState.DONE }
        if (done.isNotEmpty()) {
            checklistBox.text(done.joinToString("\n") { "✓ ${it.title}" }, Look.SMALL)
        }
        for (note in items.filter { it.state == ItemState.NOTE }) {
            checklistBox.text(note.title, Look.HEADING)
            checklistBox.text(note.detail, Look.SMALL)
        }
    }

    private companion object {
        const val REFRESH_MS = 2_000L
    }
}

/** A time in the phone's zone and format, e.g. "12/03/2025, 14:02". */
internal fun time(epochMillis: Long): String =
    DateTimeFormatter.ofLocalizedDateTime(FormatStyle.SHORT)
        .format(Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault()))
