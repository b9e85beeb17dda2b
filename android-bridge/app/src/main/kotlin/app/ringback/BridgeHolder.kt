package app.ringback

import android.content.BroadcastReceiver
import android.content.Context
import android.os.Build
import android.provider.Settings
import android.util.Log
import app.ringback.bridge.Bridge
import app.ringback.bridge.BridgeConfig
import app.ringback.bridge.BridgeException
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher

internal const val TAG = "Ringback"

/**
 * The process's one bridge. A receiver can run in a process that Android started just for
 * its broadcast, before any activity or the service: whichever comes first starts the bridge.
 */
object BridgeHolder {
    private val lock = Any()
    private var bridge: Bridge? = null
    private var nativeReady = false

    /** Why the bridge did not start, in words to show; null once it runs. */
    @Volatile
    var startProblem: String? = null
        private set

    /** Forwards broadcasts and observer changes one at a time, in the order they came. */
    val events: ExecutorService = Executors.newSingleThreadExecutor()

    /** Runs the screens' calls (status, pairing, the switch) off the main thread. */
    val screens: ExecutorService = Executors.newSingleThreadExecutor()

    /**
     * Coroutines for the screens' calls that suspend ([Bridge.pair]), on the [screens]
     * thread: while one waits (a pairing waits for a person at the desktop) the thread runs
     * the others. Never cancelled: a pairing outlives the screen that started it, since the
     * person at the desktop may still accept.
     */
    val screenScope = CoroutineScope(SupervisorJob() + screens.asCoroutineDispatcher())

    /** The running bridge, started on first use; null when it cannot start (see [startProblem]). */
    fun get(context: Context): Bridge? = synchronized(lock) {
        bridge?.let { return it }
        val app = context.applicationContext
        try {
            if (!nativeReady) {
                NativeInit.init(app)
                nativeReady = true
            }
            start(app).also {
                bridge = it
                startProblem = null
            }
        } catch (e: BridgeException) {
            Log.e(TAG, "the bridge did not start", e)
            startProblem = e.message ?: e.toString()
            null
        } catch (e: LinkageError) {
            // A broken install (no library for this CPU): nothing in Ringback can work. The
            // first try throws UnsatisfiedLinkError, later ones NoClassDefFoundError.
            Log.e(TAG, "the Ringback library did not load", e)
            startProblem = app.getString(R.string.problem_library, e.message ?: "")
            null
        } catch (e: Exception) {
            // A failure inside the library (uniffi's InternalException): never crash a receiver.
            Log.e(TAG, "the bridge did not start", e)
            startProblem = e.message ?: e.toString()
            null
        }
    }

    private fun start(app: Context): Bridge {
        val settings = StartingSettings.json(app)
        return try {
            Bridge.start(config(app, settings))
        } catch (e: BridgeException.InvalidInput) {
            // Starting settings this Ringback does not take (a region it does not know):
            // start without them rather than not at all; the desktop can set them.
            Log.w(TAG, "starting without the onboarding settings", e)
            Bridge.start(config(app, null))
        }
    }

    private fun config(app: Context, settingsJson: String?) = BridgeConfig(
        // Not backed up: the keys that identify this phone to the desktops must not be
        // restored onto another phone.
        dataDir = app.noBackupFilesDir.absolutePath,
        deviceName = deviceName(app),
        // The settings decide (null). Only the Robolectric tests set this Java property, to
        // "loopback", so the bridge they start never reaches iroh's public services; nothing
        // sets it on a phone.
        network = System.getProperty("ringback.network"),
        settingsJson = settingsJson,
    )

    private fun deviceName(app: Context): String =
        Settings.Global.getString(app.contentResolver, Settings.Global.DEVICE_NAME)
            ?.takeIf { it.isNotBlank() }
            ?: "${Build.MANUFACTURER} ${Build.MODEL}"
}

/**
 * Hands what a receiver got to the bridge on [BridgeHolder.events], keeping the broadcast
 * alive until the bridge has it. Read everything from the intent (and the result code)
 * before calling this: after `goAsync()` the receiver's own accessors no longer answer.
 */
internal fun BroadcastReceiver.forward(context: Context, what: String, call: (Bridge) -> Unit) {
    val pending = goAsync()
    val app = context.applicationContext
    BridgeHolder.events.execute {
        try {
            BridgeHolder.get(app)?.let(call)
        } catch (e: Exception) {
            Log.w(TAG, "the bridge refused $what", e)
        } finally {
            pending.finish()
        }
    }
}
