package app.ringback.robo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Application;
import android.app.PendingIntent;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.os.Build;
import android.telephony.SmsManager;
import java.util.ArrayList;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowSmsManager;

/** What Robolectric's shadows do for the pieces issue 17 needs (spike probes). */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {26, 31, 35})
public class ShadowProbeTest {
  @Test
  public void pendingIntentWithoutMutabilityFlag() {
    Application app = RuntimeEnvironment.getApplication();
    // Without a manifest Robolectric's app targets SDK 23, where the S+ rule does not apply;
    // the app's real manifest (targetSdk 35) must reach Robolectric, or this line stands in.
    app.getApplicationInfo().targetSdkVersion = Build.VERSION.SDK_INT;
    String outcome;
    try {
      PendingIntent.getBroadcast(app, 0, new Intent("app.ringback.SENT"), 0);
      outcome = "accepted";
    } catch (IllegalArgumentException e) {
      outcome = "rejected: " + e.getMessage();
    }
    System.out.println("sdk " + Build.VERSION.SDK_INT + " targetSdk "
        + app.getApplicationInfo().targetSdkVersion + " PendingIntent flags 0: " + outcome);
    // Finding: Robolectric 4.17's ShadowPendingIntent builds the PendingIntent itself and does
    // not run the framework's S+ check, so a missing mutability flag is NOT caught by running
    // at 31+; tests must assert the flags (shadowOf(pi).getFlags()/isImmutable()) themselves.
    assertEquals("accepted", outcome);
  }

  @Test
  public void multipartSendIsRecordedWithItsIntents() {
    Application app = RuntimeEnvironment.getApplication();
    SmsManager sms = SmsManager.getSmsManagerForSubscriptionId(1);
    ArrayList<String> parts = sms.divideMessage("a".repeat(200));
    ArrayList<PendingIntent> sent = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      sent.add(PendingIntent.getBroadcast(app, i, new Intent("app.ringback.SENT"),
          PendingIntent.FLAG_IMMUTABLE));
    }
    sms.sendMultipartTextMessage("+15550100", null, parts, sent, null);
    ShadowSmsManager.TextMultipartParams last = shadowOf(sms).getLastSentMultipartTextMessageParams();
    System.out.println("sdk " + Build.VERSION.SDK_INT + " recorded multipart to "
        + last.getDestinationAddress() + ": " + last.getParts().size() + " parts, "
        + last.getSentIntents().size() + " sent intents, immutable "
        + shadowOf(last.getSentIntents().get(0)).isImmutable());
    assertEquals(2, last.getParts().size());
  }

  @Test
  public void grantAndDenyPermissions() {
    Application app = RuntimeEnvironment.getApplication();
    int before = app.checkSelfPermission(Manifest.permission.SEND_SMS);
    shadowOf(app).grantPermissions(Manifest.permission.SEND_SMS);
    int after = app.checkSelfPermission(Manifest.permission.SEND_SMS);
    shadowOf(app).denyPermissions(Manifest.permission.SEND_SMS);
    int denied = app.checkSelfPermission(Manifest.permission.SEND_SMS);
    assertEquals(PackageManager.PERMISSION_GRANTED, after);
    assertTrue(before == PackageManager.PERMISSION_DENIED && denied == PackageManager.PERMISSION_DENIED);
  }
}
