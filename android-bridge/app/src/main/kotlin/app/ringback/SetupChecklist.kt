package app.ringback

import android.content.Context
import android.content.Intent

/** How a checklist line stands. */
internal enum class ItemState { DONE, MISSING, NOTE }

/** What the owner can do about a missing line. */
internal sealed interface Fix {
    /** Ask Android for the permission (or open App info when Android no longer asks). */
    data class Grant(val permission: AppPermission) : Fix

    /** Open the first of these screens that the phone has. */
    data class Open(val intents: List<Intent>) : Fix

    /** Open the maker's screen; Android cannot tell when it is done, so the owner says so. */
    data class MakerSetting(val intents: List<Intent>) : Fix
}

/** One line of the setup checklist. */
internal class ChecklistItem(
    val title: String,
    val detail: String,
    val state: ItemState,
    val fix: Fix? = null,
)

/** Everything that decides whether Ringback can work on this phone, and what is missing. */
internal object SetupChecklist {
    fun items(context: Context): List<ChecklistItem> = buildList {
        if (RestrictedSettings.blocking(context)) {
            add(
                ChecklistItem(
                    context.getString(R.string.check_restricted_title),
                    context.getString(R.string.check_restricted_detail),
                    ItemState.MISSING,
                    Fix.Open(listOf(SystemScreens.appDetails(context))),
                ),
            )
        }
        for (permission in AppPermissions.needed()) {
            val granted = AppPermissions.isGranted(context, permission)
            add(
                ChecklistItem(
                    context.getString(permission.title),
                    context.getString(if (granted) permission.why else permission.without),
                    if (granted) ItemState.DONE else ItemState.MISSING,
                    if (granted) null else Fix.Grant(permission),
                ),
            )
        }
        val exempt = SystemScreens.isBatteryExempt(context)
        add(
            ChecklistItem(
                context.getString(R.string.check_battery_title),
                context.getString(if (exempt) R.string.check_battery_done else R.string.check_battery_detail),
                if (exempt) ItemState.DONE else ItemState.MISSING,
                if (exempt) null else Fix.Open(SystemScreens.batteryExemption(context)),
            ),
        )
        MakerSettings.forThisPhone()?.let { setting ->
            val done = ShellPrefs(context).makerSettingDone
            add(
                ChecklistItem(
                    context.getString(setting.title),
                    context.getString(setting.steps),
                    if (done) ItemState.DONE else ItemState.MISSING,
                    if (done) null else Fix.MakerSetting(MakerSettings.intents(setting)),
                ),
            )
        }
        add(
            ChecklistItem(
                context.getString(R.string.check_rcs_title),
                context.getString(R.string.check_rcs_detail),
                ItemState.NOTE,
            ),
        )
    }
}
