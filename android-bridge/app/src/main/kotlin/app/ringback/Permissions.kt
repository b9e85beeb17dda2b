package app.ringback

import android.Manifest
import android.app.Activity
import android.content.Context
import android.content.pm.PackageInstaller
import android.content.pm.PackageManager
import android.os.Build

/**
 * A runtime permission Ringback asks for: what it is for and what stops working without
 * it, in words for the owner (string resources).
 */
internal class AppPermission(
    val name: String,
    val title: Int,
    val why: Int,
    val without: Int,
    /** The first Android version that has it (POST_NOTIFICATIONS is 33). */
    val minSdk: Int = Build.VERSION_CODES.O,
    /** Blocked by Android 15 for an app installed from a file until restricted settings are allowed. */
    val restricted: Boolean = false,
)

internal object AppPermissions {
    private val all = listOf(
        AppPermission(
            Manifest.permission.READ_CALL_LOG,
            R.string.perm_call_log_title,
            R.string.perm_call_log_why,
            R.string.perm_call_log_without,
            restricted = true,
        ),
        AppPermission(
            Manifest.permission.READ_PHONE_STATE,
            R.string.perm_phone_state_title,
            R.string.perm_phone_state_why,
            R.string.perm_phone_state_without,
        ),
        AppPermission(
            Manifest.permission.SEND_SMS,
            R.string.perm_send_sms_title,
            R.string.perm_send_sms_why,
            R.string.perm_send_sms_without,
            restricted = true,
        ),
        AppPermission(
            Manifest.permission.RECEIVE_SMS,
            R.string.perm_receive_sms_title,
            R.string.perm_receive_sms_why,
            R.string.perm_receive_sms_without,
            restricted = true,
        ),
        AppPermission(
            Manifest.permission.READ_SMS,
            R.string.perm_read_sms_title,
            R.string.perm_read_sms_why,
            R.string.perm_read_sms_without,
            restricted = true,
        ),
        AppPermission(
            Manifest.permission.READ_CONTACTS,
            R.string.perm_contacts_title,
            R.string.perm_contacts_why,
            R.string.perm_contacts_without,
        ),
        AppPermission(
            Manifest.permission.POST_NOTIFICATIONS,
            R.string.perm_notifications_title,
            R.string.perm_notifications_why,
            R.string.perm_notifications_without,
            minSdk = Build.VERSION_CODES.TIRAMISU,
        ),
    )

    /** The permissions this phone's Android version has. */
    fun needed(): List<AppPermission> = all.filter { Build.VERSION.SDK_INT >= it.minSdk }

    fun isGranted(context: Context, permission: AppPermission): Boolean =
        context.checkSelfPermission(permission.name) == PackageManager.PERMISSION_GRANTED

    fun missing(context: Context): List<AppPermission> = needed().filterNot { isGranted(context, it) }
}

/**
 * Asks for [permission], or, once Android has stopped showing its question (asked before
 * and refused for good), opens the app's settings page where it can still be granted.
 */
internal fun Activity.askFor(permission: AppPermission) {
    val prefs = ShellPrefs(this)
    if (prefs.wasAsked(permission.name) && !shouldShowRequestPermissionRationale(permission.name)) {
        openFirst(listOf(SystemScreens.appDetails(this)))
    } else {
        prefs.markAsked(permission.name)
        // The answer comes back in the activity's onRequestPermissionsResult.
        requestPermissions(arrayOf(permission.name), PERMISSION_REQUEST)
    }
}

/** The request code of [askFor]'s question (one question at a time, so one code). */
internal const val PERMISSION_REQUEST = 1

/** Whether the answer to [askFor]'s question was "allow" (a dismissed question is a "no"). */
internal fun permissionGranted(requestCode: Int, grantResults: IntArray): Boolean =
    requestCode == PERMISSION_REQUEST && grantResults.firstOrNull() == PackageManager.PERMISSION_GRANTED

/** Android 15's "Allow restricted settings", needed by an app not installed from a store. */
internal object RestrictedSettings {
    /** True when SMS and call-log permissions stay blocked until the owner allows them. */
    fun applyTo(context: Context): Boolean {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.VANILLA_ICE_CREAM) return false
        return try {
            val source = context.packageManager.getInstallSourceInfo(context.packageName).packageSource
            source == PackageInstaller.PACKAGE_SOURCE_LOCAL_FILE ||
                source == PackageInstaller.PACKAGE_SOURCE_DOWNLOADED_FILE
        } catch (e: PackageManager.NameNotFoundException) {
            false
        }
    }

    /** Whether a permission that restricted settings block is still missing. */
    fun blocking(context: Context): Boolean =
        applyTo(context) && AppPermissions.missing(context).any { it.restricted }
}
