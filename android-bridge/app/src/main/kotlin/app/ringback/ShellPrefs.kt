package app.ringback

import android.content.Context

/** What the shell itself remembers (everything else lives in the bridge's store). */
internal class ShellPrefs(context: Context) {
    private val prefs = context.getSharedPreferences("shell", Context.MODE_PRIVATE)

    /** The owner went through the onboarding once. */
    var onboarded: Boolean
        get() = prefs.getBoolean(KEY_ONBOARDED, false)
        set(value) = prefs.edit().putBoolean(KEY_ONBOARDED, value).apply()

    /** The owner said the maker's background setting is done (Android cannot tell). */
    var makerSettingDone: Boolean
        get() = prefs.getBoolean(KEY_MAKER_DONE, false)
        set(value) = prefs.edit().putBoolean(KEY_MAKER_DONE, value).apply()

    /** The business name typed during onboarding (see [StartingSettings]). */
    var businessName: String?
        get() = prefs.getString(KEY_BUSINESS_NAME, null)?.takeIf { it.isNotBlank() }
        set(value) = prefs.edit().putString(KEY_BUSINESS_NAME, value?.trim()).apply()

    /** Ringback asked for this permission before (so a silent refusal means "for good"). */
    fun wasAsked(permission: String): Boolean = prefs.getBoolean(KEY_ASKED + permission, false)

    fun markAsked(permission: String) = prefs.edit().putBoolean(KEY_ASKED + permission, true).apply()

    private companion object {
        const val KEY_ONBOARDED = "onboarded"
        const val KEY_MAKER_DONE = "maker_setting_done"
        const val KEY_ASKED = "asked:"
        const val KEY_BUSINESS_NAME = "business_name"
    }
}
