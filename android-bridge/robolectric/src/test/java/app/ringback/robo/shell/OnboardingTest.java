package app.ringback.robo.shell;

import static app.ringback.robo.shell.Shell.app;
import static app.ringback.robo.shell.Shell.appClass;
import static app.ringback.robo.shell.Shell.string;
import static app.ringback.robo.shell.Shell.texts;
import static app.ringback.robo.shell.Shell.viewWithText;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Activity;
import android.content.pm.PackageManager;
import android.os.Build;
import android.widget.EditText;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.shadows.ShadowActivity;

/** The first start: a page per permission, asked with the framework's own permission request. */
@RunWith(RobolectricTestRunner.class)
public class OnboardingTest extends ShellTest {
  /** The permissions the onboarding asks for, in order, at this SDK level. */
  private static List<String> expected() {
    List<String> names = new ArrayList<>(List.of(
        Manifest.permission.READ_CALL_LOG,
        Manifest.permission.READ_PHONE_STATE,
        Manifest.permission.SEND_SMS,
        Manifest.permission.RECEIVE_SMS,
        Manifest.permission.READ_SMS,
        Manifest.permission.READ_CONTACTS));
    if (Build.VERSION.SDK_INT >= 33) names.add(Manifest.permission.POST_NOTIFICATIONS);
    return names;
  }

  private ActivityController<Activity> controller;

  private Activity start() {
    controller = Robolectric.buildActivity(appClass("OnboardingActivity")).setup();
    return controller.get();
  }

  private static void click(Activity activity, String label) {
    viewWithText(activity, label).callOnClick();
  }

  /** Past the welcome and business-name pages, typing the name. */
  private Activity toPermissions(String name) {
    Activity activity = start();
    assertEquals(string("onboarding_welcome_title"), texts(activity).get(0));
    click(activity, string("onboarding_start"));
    assertEquals(string("onboarding_name_title"), texts(activity).get(0));
    Shell.views(activity, EditText.class).get(0).setText(name);
    click(activity, string("onboarding_continue"));
    return activity;
  }

  private static String lastAsked(Activity activity) {
    ShadowActivity.PermissionsRequest request = shadowOf(activity).getLastRequestedPermission();
    assertEquals("one permission per question", 1, request.requestedPermissions.length);
    return request.requestedPermissions[0];
  }

  private static void answer(Activity activity, String permission, boolean granted) {
    if (granted) shadowOf(app()).grantPermissions(permission);
    else shadowOf(app()).denyPermissions(permission);
    int result = granted ? PackageManager.PERMISSION_GRANTED : PackageManager.PERMISSION_DENIED;
    activity.onRequestPermissionsResult(
        shadowOf(activity).getLastRequestedPermission().requestCode, new String[] {permission}, new int[] {result});
  }

  @Test
  public void granting_each_permission_asks_for_all_of_them_then_finishes() {
    Activity activity = toPermissions("  Acme Plumbing ");
    assertEquals("the name is kept, trimmed", "Acme Plumbing", Shell.prefs().getString("business_name", null));
    List<String> asked = new ArrayList<>();
    for (int i = 0; i < 10 && texts(activity).contains(string("onboarding_allow"))
        && !texts(activity).get(0).equals(string("check_battery_title")); i++) {
      click(activity, string("onboarding_allow"));
      String permission = lastAsked(activity);
      asked.add(permission);
      answer(activity, permission, true);
    }
    assertEquals("asked in turn (POST_NOTIFICATIONS only from 33)", expected(), asked);
    for (String permission : expected()) {
      assertEquals(permission, PackageManager.PERMISSION_GRANTED, app().checkSelfPermission(permission));
    }
  }

  @Test
  public void a_refusal_says_what_will_not_work_and_offers_to_go_on_without() {
    Activity activity = toPermissions("Acme Plumbing");
    assertEquals(string("perm_call_log_title"), texts(activity).get(0));
    click(activity, string("onboarding_allow"));
    assertEquals(Manifest.permission.READ_CALL_LOG, lastAsked(activity));
    answer(activity, Manifest.permission.READ_CALL_LOG, false);
    List<String> page = texts(activity);
    assertEquals("still the call log page", string("perm_call_log_title"), page.get(0));
    assertTrue("says what will not work: " + page, page.contains(string("perm_call_log_without")));
    assertTrue(page.contains(string("onboarding_try_again")));
    click(activity, string("onboarding_continue_without"));
    assertEquals("the next permission", string("perm_phone_state_title"), texts(activity).get(0));
    assertEquals(
        PackageManager.PERMISSION_DENIED, app().checkSelfPermission(Manifest.permission.READ_CALL_LOG));
  }

  @Test
  public void the_last_page_lists_what_was_refused_and_finishing_opens_the_status_screen() {
    Activity activity = toPermissions("Acme Plumbing");
    // Skip every permission, then the rest.
    for (int i = 0; i < 20 && !texts(activity).get(0).equals(string("onboarding_done_title")); i++) {
      click(activity, texts(activity).contains(string("onboarding_continue_without"))
          ? string("onboarding_continue_without")
          : string("onboarding_skip"));
    }
    List<String> page = texts(activity);
    assertEquals(string("onboarding_done_title"), page.get(0));
    assertTrue(page.toString(), page.contains("• " + string("perm_send_sms_without")));
    assertEquals(
        "the notification permission is listed only where Android has it",
        Build.VERSION.SDK_INT >= 33,
        page.contains("• " + string("perm_notifications_without")));
    click(activity, string("onboarding_later"));
    assertTrue("onboarded", Shell.prefs().getBoolean("onboarded", false));
    assertTrue(activity.isFinishing());
    assertEquals(
        "app.ringback.MainActivity",
        shadowOf(activity).getNextStartedActivity().getComponent().getClassName());
  }

  @Test
  public void a_permission_granted_in_settings_moves_on_by_itself() {
    Activity activity = toPermissions("Acme Plumbing");
    assertEquals(string("perm_call_log_title"), texts(activity).get(0));
    shadowOf(app()).grantPermissions(Manifest.permission.READ_CALL_LOG);
    // Back from Android's settings.
    controller.pause().resume();
    assertFalse(texts(activity).get(0).equals(string("perm_call_log_title")));
    assertEquals(string("perm_phone_state_title"), texts(activity).get(0));
  }
}
