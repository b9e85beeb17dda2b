package app.ringback.robo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import static org.robolectric.Shadows.shadowOf;

import android.content.pm.PackageManager;
import android.os.Build;
import android.telephony.SmsManager;
import android.telephony.SmsMessage;
import java.util.ArrayList;
import java.util.Arrays;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

/** The real AOSP SMS length code, run by Robolectric at the SDK levels issue 17 names. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {26, 31, 33, 35})
public class FrameworkSmokeTest {
  @Before
  public void declareTelephony() {
    // From API 31 SmsManager refuses to work on a device without these features
    // ("Sms is not supported", SmsManager.getISmsServiceOrThrow); Robolectric's device has none.
    PackageManager pm = RuntimeEnvironment.getApplication().getPackageManager();
    shadowOf(pm).setSystemFeature("android.hardware.telephony", true);
    shadowOf(pm).setSystemFeature("android.hardware.telephony.messaging", true);
  }

  @Test
  public void calculateLengthAndDivideMessage() {
    int[] len = SmsMessage.calculateLength("héllo €", false);
    // [segments, code units used, code units remaining, encoding (1 = 7-bit, 3 = 16-bit)]
    System.out.println("sdk " + Build.VERSION.SDK_INT + " calculateLength(\"héllo €\") = "
        + Arrays.toString(len));
    assertEquals(1, len[0]);
    assertEquals(SmsMessage.ENCODING_7BIT, len[3]);
    assertEquals(8, len[1]); // é is basic GSM, € is an escape pair

    String longText = "a".repeat(152) + "€" + "a".repeat(10);
    // getDefault() asks the "isms" service for the default subscription from API 31 on, and
    // Robolectric registers none ("Sms is not supported"); a subscription's manager does not.
    ArrayList<String> parts = SmsManager.getSmsManagerForSubscriptionId(1).divideMessage(longText);
    StringBuilder sizes = new StringBuilder();
    for (String part : parts) sizes.append(part.length()).append(' ');
    System.out.println("sdk " + Build.VERSION.SDK_INT + " divideMessage(152a€10a) -> "
        + parts.size() + " parts, lengths " + sizes.toString().trim());
    assertTrue(parts.size() >= 2);
  }
}
