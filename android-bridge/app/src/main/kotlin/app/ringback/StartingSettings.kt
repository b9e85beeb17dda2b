package app.ringback

import android.content.Context
import android.telephony.TelephonyManager
import org.json.JSONObject
import java.time.ZoneId
import java.util.Locale

/**
 * The settings a phone starts with before any desktop has edited them: the business name
 * typed during onboarding, the SIM's country (how to read national numbers) and the phone's
 * time zone (business hours). The bridge keeps them only while it has no settings of its own.
 */
internal object StartingSettings {
    fun json(context: Context): String {
        val doc = JSONObject()
        ShellPrefs(context).businessName?.let { doc.put("business_name", it) }
        region(context)?.let { doc.put("region", it) }
        doc.put("timezone", ZoneId.systemDefault().id)
        return doc.toString()
    }

    /** The SIM's country, else the phone's language region: "GB", "US". */
    private fun region(context: Context): String? {
        val sim = context.getSystemService(TelephonyManager::class.java)?.simCountryIso
        return listOf(sim, Locale.getDefault().country)
            .map { it.orEmpty().uppercase(Locale.ROOT) }
            .firstOrNull { it.length == 2 && it.all { c -> c in 'A'..'Z' } }
    }
}
