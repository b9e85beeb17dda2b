package app.ringback

import android.Manifest
import android.app.NotificationManager
import android.app.Service
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.content.pm.ServiceInfo
import android.database.ContentObserver
import android.net.Uri
import android.os.Build
import android.os.Handler
import android.os.IBinder
import android.os.Looper
import android.provider.CallLog
import android.provider.Telephony
import android.util.Log
import app.ringback.bridge.Bridge

/**
 * Keeps the process, and so the bridge, alive: a foreground service of type
 * `remoteMessaging` (relaying texts between the phone and the desktops), which has no daily
 * time limit, unlike `dataSync`. It also watches the call log, the SMS and MMS providers and
 * each SIM's mobile service.
 */
class RingbackService : Service() {
    private val observers = mutableMapOf<Uri, ContentObserver>()
    private val mobileService by lazy { ServiceWatcher(applicationContext) }
    private val handler = Handler(Looper.getMainLooper())
    private val healthCheck = object : Runnable {
        override fun run() {
            reportHealth()
            handler.postDelayed(this, HEALTH_EVERY_MS)
        }
    }

    override fun onBind(intent: Intent?): IBinder? = null

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        // Each startForegroundService() must be answered by startForeground().
        if (!goForeground()) {
            stopSelf()
            return START_NOT_STICKY
        }
        BridgeHolder.events.execute { BridgeHolder.get(applicationContext) }
        // Again on each start: the app starts the service after a permission was granted.
        watch(CallLog.Calls.CONTENT_URI, Manifest.permission.READ_CALL_LOG) { it.onCallLogChanged() }
        watch(Telephony.Sms.CONTENT_URI, Manifest.permission.READ_SMS) { it.onSmsProviderChanged() }
        // Picture messages: the default app writes them to the MMS provider (first the
        // notification, then the downloaded message); some apps notify only mms-sms.
        watch(Telephony.Mms.CONTENT_URI, Manifest.permission.READ_SMS) { it.onMmsProviderChanged() }
        watch(Telephony.MmsSms.CONTENT_URI, Manifest.permission.READ_SMS) { it.onMmsProviderChanged() }
        // Each SIM's mobile service, so texts waiting for it are retried when it returns.
        mobileService.start()
        // Health now (a start follows a permission grant or a boot), then every few minutes:
        // a permission revoked by auto-reset or a SIM out of service has no broadcast.
        handler.removeCallbacks(healthCheck)
        handler.post(healthCheck)
        return START_STICKY
    }

    override fun onDestroy() {
        handler.removeCallbacks(healthCheck)
        observers.values.forEach { contentResolver.unregisterContentObserver(it) }
        observers.clear()
        mobileService.stop()
        super.onDestroy()
    }

    private fun goForeground(): Boolean {
        val notification = Notifications.service(this)
        return try {
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
                startForeground(
                    Notifications.ID_SERVICE,
                    notification,
                    ServiceInfo.FOREGROUND_SERVICE_TYPE_REMOTE_MESSAGING,
                )
            } else {
                startForeground(Notifications.ID_SERVICE, notification)
            }
            true
        } catch (e: RuntimeException) {
            // ForegroundServiceStartNotAllowedException (API 31) when started from the
            // background without an exemption; SecurityException without the permissions.
            Log.w(TAG, "could not run in the foreground", e)
            false
        }
    }

    /**
     * Gathers the phone's health for the bridge (which tells the desktops when it changed)
     * and shows its problems, with their fixes, in the ongoing notification.
     */
    private fun reportHealth() {
        val app = applicationContext
        BridgeHolder.events.execute {
            try {
                val bridge = BridgeHolder.get(app) ?: return@execute
                bridge.onHealth(HealthGatherer.gather(app, serviceRunning = true))
                val problems = bridge.status().problems
                app.getSystemService(NotificationManager::class.java)
                    ?.notify(Notifications.ID_SERVICE, Notifications.service(app, problems))
            } catch (e: Exception) {
                Log.w(TAG, "could not report the phone's health", e)
            }
        }
    }

    /** Forwards each change of [uri] to the bridge, once [permission] is granted. */
    private fun watch(uri: Uri, permission: String, call: (Bridge) -> Unit) {
        if (uri in observers) return
        if (checkSelfPermission(permission) != PackageManager.PERMISSION_GRANTED) return
        val app = applicationContext
        val observer = object : ContentObserver(Handler(Looper.getMainLooper())) {
            override fun onChange(selfChange: Boolean) {
                BridgeHolder.events.execute {
                    try {
                        BridgeHolder.get(app)?.let(call)
                    } catch (e: Exception) {
                        Log.w(TAG, "the bridge refused a change of $uri", e)
                    }
                }
            }
        }
        try {
            contentResolver.registerContentObserver(uri, true, observer)
            observers[uri] = observer
        } catch (e: SecurityException) {
            Log.w(TAG, "cannot watch $uri", e)
        }
    }

    companion object {
        /** How often the health is gathered again while the service runs. */
        private const val HEALTH_EVERY_MS = 5 * 60 * 1000L

        /** Starts the service (or reminds a running one to pick up new permissions). */
        fun start(context: Context) {
            try {
                context.startForegroundService(Intent(context, RingbackService::class.java))
            } catch (e: IllegalStateException) {
                // Not allowed from the background right now; the next boot or app start retries.
                Log.w(TAG, "could not start the service", e)
            }
        }
    }
}
