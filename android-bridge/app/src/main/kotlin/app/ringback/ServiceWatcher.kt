package app.ringback

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.telephony.ServiceState
import android.telephony.SubscriptionManager
import android.telephony.TelephonyCallback
import android.telephony.TelephonyManager
import android.util.Log

/**
 * Tells the bridge when an active SIM's mobile service changes, so a text that failed for
 * no service goes again as soon as its line is back rather than at its next backoff
 * (which still runs when a change is missed). `TelephonyCallback.ServiceStateListener`
 * from API 31, `PhoneStateListener.LISTEN_SERVICE_STATE` before; one per active
 * subscription, named as the bridge names lines (the subscription id). Listing the SIMs
 * needs READ_PHONE_STATE: without it nothing is registered, and the backoff alone retries.
 * Only a change of `getState()` is forwarded: Android calls again for every operator or
 * roaming detail, and each forward makes the waiting texts due.
 */
internal class ServiceWatcher(private val context: Context) {
    /** What to unregister, by subscription id. */
    private val registered = mutableMapOf<Int, () -> Unit>()

    /** The last state forwarded, by subscription id; read and written on the events thread. */
    private val last = mutableMapOf<Int, Int>()

    /** Registers for each active SIM not yet watched. Call on the main thread (the pre-31 listener takes its Looper). */
    fun start() {
        if (context.checkSelfPermission(Manifest.permission.READ_PHONE_STATE) != PackageManager.PERMISSION_GRANTED) {
            return
        }
        val subscriptions = context.getSystemService(SubscriptionManager::class.java) ?: return
        val telephony = context.getSystemService(TelephonyManager::class.java) ?: return
        val ids = try {
            subscriptions.activeSubscriptionInfoList.orEmpty().map { it.subscriptionId }
        } catch (e: SecurityException) {
            Log.w(TAG, "cannot list the SIMs to watch their service", e)
            return
        }
        // A dual-SIM phone has two; more would be a broken list, not more lines.
        for (id in ids.distinct().take(MAX_SIMS)) {
            if (id in registered) continue
            try {
                registered[id] = watch(telephony.createForSubscriptionId(id), id)
            } catch (e: RuntimeException) {
                // SecurityException, or IllegalStateException for a subscription gone meanwhile.
                Log.w(TAG, "cannot watch the service of SIM $id", e)
            }
        }
    }

    /** Unregisters every callback. */
    fun stop() {
        registered.values.forEach { unregister ->
            try {
                unregister()
            } catch (e: RuntimeException) {
                Log.w(TAG, "could not stop watching a SIM's service", e)
            }
        }
        registered.clear()
    }

    /** Registers on [perSim]; returns how to unregister. */
    private fun watch(perSim: TelephonyManager, id: Int): () -> Unit {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            val callback = object : TelephonyCallback(), TelephonyCallback.ServiceStateListener {
                override fun onServiceStateChanged(serviceState: ServiceState) = changed(id, serviceState.state)
            }
            // Called on the events thread itself: no hop, and in order with the broadcasts.
            perSim.registerTelephonyCallback(BridgeHolder.events, callback)
            return { perSim.unregisterTelephonyCallback(callback) }
        }
        return listenBefore31(perSim, id)
    }

    /** `PhoneStateListener`, deprecated in API 31 for [TelephonyCallback]; the only way before it. */
    @Suppress("DEPRECATION")
    private fun listenBefore31(perSim: TelephonyManager, id: Int): () -> Unit {
        val listener = object : android.telephony.PhoneStateListener() {
            @Deprecated("Deprecated in Java")
            override fun onServiceStateChanged(serviceState: ServiceState) {
                val state = serviceState.state
                BridgeHolder.events.execute { changed(id, state) }
            }
        }
        perSim.listen(listener, android.telephony.PhoneStateListener.LISTEN_SERVICE_STATE)
        return { perSim.listen(listener, android.telephony.PhoneStateListener.LISTEN_NONE) }
    }

    /** On the events thread: forwards [state] when it differs from the last one for [id]. */
    private fun changed(id: Int, state: Int) {
        if (last.put(id, state) == state) return
        try {
            BridgeHolder.get(context)?.onServiceState(id, state)
        } catch (e: Exception) {
            Log.w(TAG, "the bridge refused a service change of SIM $id", e)
        }
    }

    private companion object {
        const val MAX_SIMS = 4
    }
}
