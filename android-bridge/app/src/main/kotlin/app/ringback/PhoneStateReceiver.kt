package app.ringback

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.telephony.TelephonyManager
import app.ringback.bridge.PhoneState

/**
 * `android.intent.action.PHONE_STATE`. Android delivers each change twice to an app with
 * READ_CALL_LOG, once with the number and once without: both are forwarded, the bridge
 * reads the call log and decides.
 */
class PhoneStateReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != TelephonyManager.ACTION_PHONE_STATE_CHANGED) return
        val state = when (intent.getStringExtra(TelephonyManager.EXTRA_STATE)) {
            TelephonyManager.EXTRA_STATE_RINGING -> PhoneState.RINGING
            TelephonyManager.EXTRA_STATE_OFFHOOK -> PhoneState.OFF_HOOK
            TelephonyManager.EXTRA_STATE_IDLE -> PhoneState.IDLE
            else -> return
        }
        // Deprecated in API 29 in favour of call screening, which would make Ringback the
        // phone's call screener; this broadcast is still delivered with the number.
        @Suppress("DEPRECATION")
        val number = intent.getStringExtra(TelephonyManager.EXTRA_INCOMING_NUMBER)
        forward(context, "a phone state") { it.onPhoneState(state, number) }
    }
}
