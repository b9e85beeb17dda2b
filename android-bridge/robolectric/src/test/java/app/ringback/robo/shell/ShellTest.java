package app.ringback.robo.shell;

import static org.junit.Assume.assumeTrue;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.telephony.TelephonyManager;
import org.junit.Before;
import org.robolectric.Robolectric;

/**
 * The shell tests' base: they run only in the pom's shell-NN executions, which put the app on
 * the class path (a plain {@code -Dtest=} run of the default execution skips them).
 */
abstract class ShellTest {
  private static boolean warmedUp;

  @Before
  public final void appOnTheClassPath() {
    assumeTrue("the app is on the class path (run through scripts/android-robolectric)",
        Boolean.getBoolean("ringback.shell"));
    // What the bridge starts with (StartingSettings), whichever test starts it: the JVM has
    // one bridge, which keeps the settings it started with.
    if (!warmedUp) {
      warmedUp = true;
      Shell.stopBridgeAtExit();
      // Robolectric 4.17 at SDK 31 and 33: the first window's audio service proxy initializes
      // BluetoothDevice, whose shadow names a class those SDKs do not have
      // (BluetoothDevice$BluetoothAddress): that first screen throws NoClassDefFoundError and
      // later ones work. Take the throw here rather than in a test's first screen.
      try {
        if (android.os.Build.VERSION.SDK_INT < 34) Robolectric.buildActivity(Activity.class).setup();
      } catch (Throwable expected) {
        // At SDK 31 and 33.
      }
    }
    Shell.prefs().edit().putString("business_name", Shell.BUSINESS).commit();
    shadowOf(Shell.app().getSystemService(TelephonyManager.class)).setSimCountryIso("us");
  }
}
