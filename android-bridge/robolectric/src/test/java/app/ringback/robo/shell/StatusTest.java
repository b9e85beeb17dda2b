package app.ringback.robo.shell;

import static app.ringback.robo.shell.Shell.app;
import static app.ringback.robo.shell.Shell.appClass;
import static app.ringback.robo.shell.Shell.drainBridge;
import static app.ringback.robo.shell.Shell.string;
import static app.ringback.robo.shell.Shell.texts;
import static app.ringback.robo.shell.Shell.viewWithText;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Activity;
import android.content.Intent;
import android.os.Build;
import android.widget.EditText;
import android.widget.Switch;
import java.util.List;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.shadows.ShadowActivity;

/** The status screen (MainActivity) with its switch, and pairing's code field, on the real bridge. */
@RunWith(RobolectricTestRunner.class)
public class StatusTest extends ShellTest {
  @Before
  public void onboarded() {
    Shell.prefs().edit().putString("business_name", Shell.BUSINESS).putBoolean("onboarded", true).commit();
  }

  private static Activity status() throws Exception {
    ActivityController<Activity> controller = Robolectric.buildActivity(appClass("MainActivity")).setup();
    drainBridge();
    return controller.get();
  }

  private static Switch theSwitch(Activity activity) {
    List<Switch> switches = Shell.views(activity, Switch.class);
    assertEquals("one switch", 1, switches.size());
    return switches.get(0);
  }

  @Test
  public void before_onboarding_the_app_opens_the_onboarding() {
    Shell.prefs().edit().putBoolean("onboarded", false).commit();
    // Only onCreate: an activity that finishes there gets no onStart/onResume on a phone.
    Activity main = Robolectric.buildActivity(appClass("MainActivity")).create().get();
    assertTrue(main.isFinishing());
    Intent next = shadowOf(main).getNextStartedActivity();
    assertEquals("app.ringback.OnboardingActivity", next.getComponent().getClassName());
  }

  @Test
  public void the_status_shows_the_running_bridge_and_the_switch_turns_it_off_and_on() throws Exception {
    Activity activity = status();
    assertNull("the bridge runs", Shell.startProblem());
    assertEquals(
        "the status screen starts the service",
        "app.ringback.RingbackService",
        shadowOf(app()).getNextStartedService().getComponent().getClassName());
    List<String> shown = texts(activity);
    assertEquals(string("app_name"), shown.get(0));
    assertTrue(shown.toString(), shown.contains(string("status_desktops")));
    assertTrue(shown.toString(), shown.contains(string("status_no_desktop")));
    assertTrue(shown.toString(), shown.contains(string("status_last_call")));
    Switch on = theSwitch(activity);
    assertEquals(string("main_switch"), on.getText().toString());
    assertTrue("usable while the bridge runs", on.isEnabled());
    assertTrue("switched on", on.isChecked());
    try {
      // What a tap does (performClick's sound effect aside).
      on.toggle();
      drainBridge();
      drainBridge();
      assertFalse("off, as the bridge now says", theSwitch(activity).isChecked());
      Activity again = status();
      assertFalse("a new screen reads off from the bridge", theSwitch(again).isChecked());
    } finally {
      // Back on: the bridge is the JVM's one, the other tests need it on.
      Activity last = status();
      if (!theSwitch(last).isChecked()) {
        theSwitch(last).toggle();
        drainBridge();
        drainBridge();
      }
    }
    assertTrue("on again", theSwitch(status()).isChecked());
  }

  @Test
  public void the_checklist_asks_for_a_missing_permission() throws Exception {
    shadowOf(app()).grantPermissions(Manifest.permission.READ_PHONE_STATE);
    Activity activity = status();
    List<String> shown = texts(activity);
    assertTrue(shown.toString(), shown.contains(string("check_heading")));
    viewWithText(activity, string("check_grant")).callOnClick();
    ShadowActivity.PermissionsRequest request = shadowOf(activity).getLastRequestedPermission();
    assertNotNull("the framework's permission request", request);
    assertEquals(Manifest.permission.READ_CALL_LOG, request.requestedPermissions[0]);
  }

  private static Activity pairScreen() {
    return Robolectric.buildActivity(appClass("PairActivity")).setup().get();
  }

  private static String outcome(Activity activity) {
    List<String> shown = texts(activity);
    return shown.get(shown.size() - 1);
  }

  @Test
  public void pairing_with_no_code_asks_for_one() throws Exception {
    Activity activity = pairScreen();
    viewWithText(activity, string("pair_button")).callOnClick();
    assertEquals(string("pair_code_empty"), outcome(activity));
  }

  @Test
  public void pairing_with_a_bad_code_shows_the_bridge_s_error() throws Exception {
    Activity activity = pairScreen();
    EditText field = Shell.views(activity, EditText.class).get(0);
    assertEquals(string("pair_code_hint"), field.getHint().toString());
    field.setText("not a code");
    viewWithText(activity, string("pair_button")).callOnClick();
    assertEquals(string("pair_connecting"), outcome(activity));
    for (int i = 0; i < 50 && outcome(activity).equals(string("pair_connecting")); i++) {
      drainBridge();
      Thread.sleep(100);
    }
    String message = outcome(activity);
    assertFalse("not the generic failure: " + message, message.equals(string("pair_failed")));
    assertTrue("names what is wrong: " + message, message.toLowerCase().contains("code"));
    assertTrue("the buttons work again", viewWithText(activity, string("pair_button")).isEnabled());
  }
}
