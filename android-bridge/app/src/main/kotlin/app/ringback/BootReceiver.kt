package app.ringback

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent

/**
 * After a restart, and after an update of the app (which stops it), starts the service
 * again; after a restart the bridge also catches up on what happened while the phone was off.
 */
class BootReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        when (intent.action) {
            Intent.ACTION_BOOT_COMPLETED -> {
                RingbackService.start(context)
                forward(context, "the boot") { it.onBoot() }
            }
            Intent.ACTION_MY_PACKAGE_REPLACED -> RingbackService.start(context)
        }
    }
}
