package app.ringback

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.text.InputType
import android.widget.LinearLayout

/**
 * First start: explains and asks for each permission in turn, then the battery exemption
 * and the maker's background setting. Every step can be skipped; a refusal is answered with
 * what will not work, and the last page sums that up.
 */
class OnboardingActivity : Activity() {
    private sealed interface Step {
        data object Welcome : Step
        data object BusinessName : Step
        class Permission(val permission: AppPermission) : Step
        data object Battery : Step
        class Maker(val setting: MakerSetting) : Step
        data object Finished : Step
    }

    private lateinit var steps: List<Step>
    private var current = 0

    /** The permission step was answered "no" (so its page now says what will not work). */
    private var refused = false

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults)
        if (requestCode != PERMISSION_REQUEST) return
        if (permissionGranted(requestCode, grantResults)) next() else {
            refused = true
            show()
        }
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        steps = buildList {
            add(Step.Welcome)
            add(Step.BusinessName)
            AppPermissions.missing(this@OnboardingActivity).forEach { add(Step.Permission(it)) }
            if (!SystemScreens.isBatteryExempt(this@OnboardingActivity)) add(Step.Battery)
            MakerSettings.forThisPhone()?.let { add(Step.Maker(it)) }
            add(Step.Finished)
        }
        current = savedInstanceState?.getInt(KEY_STEP, 0)?.coerceIn(0, steps.lastIndex) ?: 0
        refused = savedInstanceState?.getBoolean(KEY_REFUSED, false) ?: false
    }

    override fun onResume() {
        super.onResume()
        // Back from Android's settings: a step done there moves on by itself.
        if (isDone(steps[current])) next() else show()
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putInt(KEY_STEP, current)
        outState.putBoolean(KEY_REFUSED, refused)
    }

    private fun isDone(step: Step): Boolean = when (step) {
        is Step.Permission -> AppPermissions.isGranted(this, step.permission)
        Step.Battery -> SystemScreens.isBatteryExempt(this)
        else -> false
    }

    private fun next() {
        refused = false
        do {
            current = (current + 1).coerceAtMost(steps.lastIndex)
        } while (current < steps.lastIndex && isDone(steps[current]))
        show()
    }

    private fun show() {
        val (root, page) = screen()
        when (val step = steps[current]) {
            Step.Welcome -> {
                page.text(getString(R.string.onboarding_welcome_title), Look.TITLE)
                page.text(getString(R.string.onboarding_welcome_body))
                page.text(getString(R.string.onboarding_welcome_permissions))
                page.button(getString(R.string.onboarding_start)) { next() }
            }
            Step.BusinessName -> {
                val prefs = ShellPrefs(this)
                page.text(getString(R.string.onboarding_name_title), Look.TITLE)
                page.text(getString(R.string.onboarding_name_why))
                val field = page.textField(
                    getString(R.string.onboarding_name_hint),
                    prefs.businessName.orEmpty(),
                    InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_CAP_WORDS,
                )
                page.button(getString(R.string.onboarding_continue)) {
                    prefs.businessName = field.text?.toString()
                    next()
                }
                page.button(getString(R.string.onboarding_skip), ButtonLook.TEXT) { next() }
            }
            is Step.Permission -> {
                val permission = step.permission
                page.text(getString(permission.title), Look.TITLE)
                page.text(getString(permission.why))
                if (refused) {
                    page.text(getString(permission.without), Look.HEADING)
                    if (permission.restricted && RestrictedSettings.applyTo(this)) {
                        page.text(getString(R.string.check_restricted_detail))
                        page.button(getString(R.string.onboarding_open_app_info), ButtonLook.OUTLINED) {
                            openFirst(listOf(SystemScreens.appDetails(this)))
                        }
                    }
                    page.button(getString(R.string.onboarding_try_again), ButtonLook.OUTLINED) {
                        askFor(permission)
                    }
                    page.button(getString(R.string.onboarding_continue_without)) { next() }
                } else {
                    page.button(getString(R.string.onboarding_allow)) { askFor(permission) }
                    page.button(getString(R.string.onboarding_skip), ButtonLook.TEXT) {
                        refused = true
                        show()
                    }
                }
            }
            Step.Battery -> {
                page.text(getString(R.string.check_battery_title), Look.TITLE)
                page.text(getString(R.string.check_battery_detail))
                page.button(getString(R.string.onboarding_allow)) {
                    if (!openFirst(SystemScreens.batteryExemption(this))) next()
                }
                page.button(getString(R.string.onboarding_skip), ButtonLook.TEXT) { next() }
            }
            is Step.Maker -> {
                page.text(getString(step.setting.title), Look.TITLE)
                page.text(getString(step.setting.steps))
                val intents = MakerSettings.intents(step.setting)
                if (intents.isNotEmpty()) {
                    page.button(getString(R.string.check_open), ButtonLook.OUTLINED) { openFirst(intents) }
                }
                page.button(getString(R.string.check_maker_done)) {
                    ShellPrefs(this).makerSettingDone = true
                    next()
                }
                page.button(getString(R.string.onboarding_skip), ButtonLook.TEXT) { next() }
            }
            Step.Finished -> showFinished(page)
        }
        setContentView(root)
    }

    private fun showFinished(page: LinearLayout) {
        val missing = AppPermissions.missing(this)
        val batteryExempt = SystemScreens.isBatteryExempt(this)
        val named = ShellPrefs(this).businessName != null
        page.text(getString(R.string.onboarding_done_title), Look.TITLE)
        if (missing.isEmpty() && batteryExempt && named) {
            page.text(getString(R.string.onboarding_done_all))
        } else {
            page.text(getString(R.string.onboarding_done_limits))
            missing.forEach { page.text("• " + getString(it.without)) }
            if (!batteryExempt) page.text("• " + getString(R.string.check_battery_without))
            if (!named) page.text("• " + getString(R.string.onboarding_name_without))
            page.text(getString(R.string.onboarding_done_later), Look.SMALL)
        }
        page.text(getString(R.string.check_rcs_detail), Look.SMALL)
        page.button(getString(R.string.onboarding_pair)) { finishOnboarding(pairNext = true) }
        page.button(getString(R.string.onboarding_later), ButtonLook.TEXT) { finishOnboarding(pairNext = false) }
    }

    private fun finishOnboarding(pairNext: Boolean) {
        ShellPrefs(this).onboarded = true
        RingbackService.start(this)
        startActivity(Intent(this, MainActivity::class.java))
        if (pairNext) startActivity(Intent(this, PairActivity::class.java))
        finish()
    }

    private companion object {
        const val KEY_STEP = "step"
        const val KEY_REFUSED = "refused"
    }
}
