package app.ringback

import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.os.PowerManager
import android.provider.Settings
import android.provider.Telephony
import android.telephony.ServiceState
import android.telephony.SubscriptionManager
import android.telephony.TelephonyManager
import android.util.Log
import app.ringback.core.Permission
import app.ringback.core.PermissionState
import app.ringback.core.PhoneHealth
import app.ringback.core.ServiceState as HealthService
import app.ringback.core.SimHealth

/**
 * Gathers the phone's health through the framework for the bridge, which reports it to the
 * desktops: each permission, the battery exemption, the maker's autostart hint, the
 * service, each SIM's service and signal, airplane mode and the default SMS app. Every
 * call that Android may refuse (no READ_PHONE_STATE, an old version) leaves its field
 * unknown instead of failing the whole record.
 */
internal object HealthGatherer {
    /** Core's permission for each of Android's. */
    private val permissions = listOf(
        android.Manifest.permission.READ_CALL_LOG to Permission.READ_CALL_LOG,
        android.Manifest.permission.READ_PHONE_STATE to Permission.READ_PHONE_STATE,
        android.Manifest.permission.SEND_SMS to Permission.SEND_SMS,
        android.Manifest.permission.RECEIVE_SMS to Permission.RECEIVE_SMS,
        android.Manifest.permission.READ_SMS to Permission.READ_SMS,
        android.Manifest.permission.READ_CONTACTS to Permission.READ_CONTACTS,
        android.Manifest.permission.POST_NOTIFICATIONS to Permission.POST_NOTIFICATIONS,
    )

    /** Default SMS apps whose chat (RCS) features are on by default. */
    private val chatApps = setOf("com.google.android.apps.messaging", "com.samsung.android.messaging")

    fun gather(context: Context, serviceRunning: Boolean): PhoneHealth {
        val granted = permissions.map { (name, permission) ->
            // POST_NOTIFICATIONS exists from Android 13; before it, notifications are allowed.
            val ok = if (permission == Permission.POST_NOTIFICATIONS && Build.VERSION.SDK_INT < 33) {
                true
            } else {
                context.checkSelfPermission(name) == PackageManager.PERMISSION_GRANTED
            }
            PermissionState(permission, ok)
        }
        val defaultSms = try {
            Telephony.Sms.getDefaultSmsPackage(context)
        } catch (e: RuntimeException) {
            null
        }
        return PhoneHealth(
            atMs = System.currentTimeMillis(),
            // The bridge fills in its own version.
            appVersion = "",
            permissions = granted,
            batteryExempt = batteryExempt(context),
            autostartHint = MakerSettings.forThisPhone()?.let { context.getString(it.steps) },
            serviceRunning = serviceRunning,
            sims = sims(context),
            airplaneMode = Settings.Global.getInt(
                context.contentResolver,
                Settings.Global.AIRPLANE_MODE_ON,
                0,
            ) != 0,
            defaultSmsApp = defaultSms,
            chatFeaturesLikely = defaultSms != null && defaultSms in chatApps,
            // The bridge knows these itself.
            lastCallLogReadMs = null,
            lastText = null,
        )
    }

    private fun batteryExempt(context: Context): Boolean? {
        val power = context.getSystemService(PowerManager::class.java) ?: return null
        return power.isIgnoringBatteryOptimizations(context.packageName)
    }

    /** Each active SIM, named as the bridge names lines (the subscription id). */
    private fun sims(context: Context): List<SimHealth> {
        if (context.checkSelfPermission(android.Manifest.permission.READ_PHONE_STATE) !=
            PackageManager.PERMISSION_GRANTED
        ) {
            return emptyList()
        }
        val subscriptions = context.getSystemService(SubscriptionManager::class.java) ?: return emptyList()
        val telephony = context.getSystemService(TelephonyManager::class.java) ?: return emptyList()
        return try {
            subscriptions.activeSubscriptionInfoList.orEmpty().take(4).map { info ->
                val perSim = telephony.createForSubscriptionId(info.subscriptionId)
                SimHealth(
                    line = info.subscriptionId.toString(),
                    carrier = info.carrierName?.toString().orEmpty(),
                    service = service(perSim.serviceState),
                    signalLevel = if (Build.VERSION.SDK_INT >= 28) {
                        perSim.signalStrength?.level?.coerceIn(0, 4)?.toUByte()
                    } else {
                        null
                    },
                )
            }
        } catch (e: SecurityException) {
            Log.w(TAG, "cannot read the SIMs' state", e)
            emptyList()
        }
    }

    private fun service(state: ServiceState?): HealthService = when (state?.state) {
        ServiceState.STATE_IN_SERVICE -> HealthService.IN_SERVICE
        ServiceState.STATE_OUT_OF_SERVICE -> HealthService.OUT_OF_SERVICE
        ServiceState.STATE_EMERGENCY_ONLY -> HealthService.EMERGENCY_ONLY
        ServiceState.STATE_POWER_OFF -> HealthService.POWER_OFF
        else -> HealthService.UNKNOWN
    }
}
