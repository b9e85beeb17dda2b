package app.ringback

import android.app.Activity
import android.content.ActivityNotFoundException
import android.content.ComponentName
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.os.Build
import android.os.PowerManager
import android.provider.Settings
import android.util.Log
import java.util.Locale

/** Screens of Android's settings (and of phone makers' own apps) that the owner may need. */
internal object SystemScreens {
    /** App info for Ringback: permissions, battery, and "⋮ → Allow restricted settings". */
    fun appDetails(context: Context) =
        Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", context.packageName, null))

    /** Android's question "Let Ringback always run in background?". */
    fun batteryExemption(context: Context): List<Intent> = listOf(
        Intent(Settings.ACTION_REQUEST_IGNORE_BATTERY_OPTIMIZATIONS, Uri.parse("package:${context.packageName}")),
        Intent(Settings.ACTION_IGNORE_BATTERY_OPTIMIZATION_SETTINGS),
        appDetails(context),
    )

    fun isBatteryExempt(context: Context): Boolean =
        context.getSystemService(PowerManager::class.java)
            ?.isIgnoringBatteryOptimizations(context.packageName) == true
}

/**
 * A phone maker's own setting that stops apps running in the background, whatever Android's
 * battery exemption says, and the maker's screens that hold it (tried in order; they move
 * between versions, so the written steps are always shown too).
 */
internal class MakerSetting(val title: Int, val steps: Int, val screens: List<ComponentName>)

internal object MakerSettings {
    fun forThisPhone(): MakerSetting? = forMaker(Build.MANUFACTURER)

    fun forMaker(manufacturer: String?): MakerSetting? =
        when (manufacturer.orEmpty().trim().lowercase(Locale.ROOT)) {
            "xiaomi", "redmi", "poco" -> MakerSetting(
                R.string.maker_xiaomi_title,
                R.string.maker_xiaomi_steps,
                listOf(
                    ComponentName(
                        "com.miui.securitycenter",
                        "com.miui.permcenter.autostart.AutoStartManagementActivity",
                    ),
                ),
            )
            "samsung" -> MakerSetting(
                R.string.maker_samsung_title,
                R.string.maker_samsung_steps,
                listOf(
                    ComponentName("com.samsung.android.lool", "com.samsung.android.sm.battery.ui.BatteryActivity"),
                    ComponentName("com.samsung.android.sm", "com.samsung.android.sm.battery.ui.BatteryActivity"),
                ),
            )
            "huawei", "honor" -> MakerSetting(
                R.string.maker_huawei_title,
                R.string.maker_huawei_steps,
                listOf(
                    ComponentName(
                        "com.huawei.systemmanager",
                        "com.huawei.systemmanager.startupmgr.ui.StartupNormalAppListActivity",
                    ),
                    ComponentName(
                        "com.huawei.systemmanager",
                        "com.huawei.systemmanager.optimize.process.ProtectActivity",
                    ),
                ),
            )
            "oppo", "realme", "oneplus", "vivo", "iqoo", "meizu", "asus", "tecno", "infinix" ->
                MakerSetting(R.string.maker_other_title, R.string.maker_other_steps, emptyList())
            else -> null
        }

    fun intents(setting: MakerSetting): List<Intent> = setting.screens.map { Intent().setComponent(it) }
}

/** Opens the first of [intents] that this phone has; false when none could be opened. */
internal fun Activity.openFirst(intents: List<Intent>): Boolean {
    for (intent in intents) {
        try {
            startActivity(intent)
            return true
        } catch (e: ActivityNotFoundException) {
            continue
        } catch (e: SecurityException) {
            // A maker's screen that is not exported on this version.
            Log.i(TAG, "cannot open ${intent.component ?: intent.action}")
        }
    }
    return false
}
