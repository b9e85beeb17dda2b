package app.ringback.robo.shell;

import static app.ringback.robo.shell.Shell.app;
import static app.ringback.robo.shell.Shell.appClass;
import static app.ringback.robo.shell.Shell.drainBridge;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import app.ringback.robo.platform.CallLogProvider;
import android.app.PendingIntent;
import android.content.BroadcastReceiver;
import android.content.Intent;
import android.provider.Telephony;
import android.telephony.SmsManager;
import android.telephony.SmsMessage;
import android.telephony.SubscriptionManager;
import android.telephony.TelephonyManager;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.shadows.ShadowLog;
import org.robolectric.shadows.ShadowSmsManager;

/**
 * The app's broadcast receivers, declared by its own manifest (targetSdk 35), on the real
 * framework, each handing what it got to the real Rust bridge.
 */
@RunWith(RobolectricTestRunner.class)
public class ReceiversTest extends ShellTest {
  /** The SIM the calls come in on (its subscription id, as the call log names it). */
  private static final int SIM = 2;
  /**
   * Who texts in the SMS test: not the caller of the missed-call test, whom the bridge (one per
   * JVM, whichever test runs first) would then find in a conversation and not text back.
   */
  private static final String TEXTER = "+12125550188";

  @Before
  public void setUp() {
    Shell.prefs().edit().putString("business_name", Shell.BUSINESS).commit();
    Shell.phoneWithSim(SIM);
  }

  private static List<String> receiversOf(Intent intent) {
    return shadowOf(app()).getReceiversForIntent(intent).stream()
        .map(r -> r.getClass().getName())
        .collect(Collectors.toList());
  }

  private static Intent phoneState(String state, String number) {
    Intent intent = new Intent(TelephonyManager.ACTION_PHONE_STATE_CHANGED);
    intent.putExtra(TelephonyManager.EXTRA_STATE, state);
    if (number != null) intent.putExtra(TelephonyManager.EXTRA_INCOMING_NUMBER, number);
    return intent;
  }

  /** Warnings the shell logged ("the bridge refused ..."), which a receiver never throws. */
  private static List<String> shellWarnings() {
    return ShadowLog.getLogsForTag("Ringback").stream()
        .map(l -> l.msg + (l.throwable == null ? "" : ": " + l.throwable))
        .collect(Collectors.toList());
  }

  @Test
  public void a_missed_call_goes_through_the_bridge_and_out_to_smsManager() throws Exception {
    assertEquals(
        "the manifest's receiver gets PHONE_STATE",
        List.of("app.ringback.PhoneStateReceiver"),
        receiversOf(new Intent(TelephonyManager.ACTION_PHONE_STATE_CHANGED)));
    CallLogProvider calls = CallLogProvider.install();
    long now = System.currentTimeMillis();
    // Ids only grow through the JVM: the bridge (one per process) remembers the highest it saw.
    long id = now;
    calls.addCall(id, "+12125550100", 3, now - 3 * 3_600_000L, 0, String.valueOf(SIM));

    // An earlier call ended (IDLE): the bridge reads the call log up to here, which is its
    // history (in another test, with no call log, it may have started without one).
    app().sendBroadcast(phoneState(TelephonyManager.EXTRA_STATE_IDLE, null));
    drainBridge();
    assertNull("the bridge started", Shell.startProblem());

    app().sendBroadcast(phoneState(TelephonyManager.EXTRA_STATE_RINGING, "+12125550123"));
    drainBridge();

    // Ended now: a call that ended before the bridge's first look at the call log is history.
    calls.addCall(id + 1, "(212) 555-0123", 3, System.currentTimeMillis(), 0, String.valueOf(SIM));
    app().sendBroadcast(phoneState(TelephonyManager.EXTRA_STATE_IDLE, null));
    app().sendBroadcast(phoneState(TelephonyManager.EXTRA_STATE_IDLE, "+12125550123"));
    drainBridge();

    ShadowSmsManager sms = shadowOf(SmsManager.getSmsManagerForSubscriptionId(SIM));
    // The last text sent to the caller (another test's texts, e.g. an opt-out's confirmation,
    // may be the last one sent when this starts).
    ShadowSmsManager.TextMultipartParams sent = null;
    ShadowSmsManager.TextMultipartParams last = null;
    for (int i = 0; i < 100 && sent == null; i++) {
      last = sms.getLastSentMultipartTextMessageParams();
      if (last != null && "+12125550123".equals(last.getDestinationAddress())) sent = last;
      else Thread.sleep(100);
    }
    assertNotNull(
        "a text-back was sent on SIM " + SIM + " to the caller (the last text went to "
            + (last == null ? "no one" : last.getDestinationAddress()) + "); shell log: "
            + shellWarnings() + "; bridge: " + Shell.bridgeProblems(),
        sent);
    assertEquals("to the caller in E.164", "+12125550123", sent.getDestinationAddress());
    String text = String.join("", sent.getParts());
    assertTrue("the template names the business: " + text, text.contains(Shell.BUSINESS));
    assertEquals(sent.getParts().size(), sent.getSentIntents().size());
    assertEquals(sent.getParts().size(), sent.getDeliveryIntents().size());
    for (PendingIntent report : sent.getSentIntents()) {
      Intent saved = shadowOf(report).getSavedIntent();
      assertEquals("app.ringback.SMS_SENT", saved.getAction());
      assertEquals("the report comes back to this app", Shell.PACKAGE, saved.getPackage());
      assertEquals(
          "the sent report's receiver is declared",
          List.of("app.ringback.SmsSentReceiver"),
          receiversOf(saved));
    }
    for (PendingIntent report : sent.getDeliveryIntents()) {
      assertEquals(
          "the delivery report's receiver is declared",
          List.of("app.ringback.SmsDeliveredReceiver"),
          receiversOf(shadowOf(report).getSavedIntent()));
    }
  }

  /**
   * An SMS-DELIVER PDU (3GPP TS 23.040 9.2.2.1) from {@code from} (international), GSM 7-bit
   * text (ASCII letters, digits and spaces only, which GSM-7 codes as ASCII), no SMSC.
   */
  static byte[] deliverPdu(String from, String text) {
    ByteArrayOutputStream pdu = new ByteArrayOutputStream();
    pdu.write(0x00); // no SMSC address
    pdu.write(0x04); // SMS-DELIVER, TP-MMS: no more messages
    String digits = from.substring(1);
    pdu.write(digits.length());
    pdu.write(0x91); // international, ISDN numbering
    for (int i = 0; i < digits.length(); i += 2) {
      int low = digits.charAt(i) - '0';
      int high = i + 1 < digits.length() ? digits.charAt(i + 1) - '0' : 0xF;
      pdu.write((high << 4) | low);
    }
    pdu.write(0x00); // TP-PID
    pdu.write(0x00); // TP-DCS: GSM 7-bit
    // TP-SCTS 2025-03-12 14:02:30 UTC, semi-octets swapped.
    for (int value : new int[] {25, 3, 12, 14, 2, 30, 0}) {
      pdu.write(((value % 10) << 4) | (value / 10));
    }
    byte[] septets = text.getBytes(StandardCharsets.US_ASCII);
    pdu.write(septets.length);
    int carry = 0;
    int bits = 0;
    for (byte septet : septets) {
      carry |= (septet & 0x7F) << bits;
      bits += 7;
      while (bits >= 8) {
        pdu.write(carry & 0xFF);
        carry >>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) pdu.write(carry & 0xFF);
    return pdu.toByteArray();
  }

  /**
   * A real SMS-DELIVER PDU saying STOP reaches the bridge through SmsReceiver: the texter's
   * next missed call gets no text, and the bridge says why (its status's last missed call).
   */
  @Test
  public void sms_received_with_a_real_deliver_pdu_reaches_the_bridge() throws Throwable {
    byte[] pdu = deliverPdu(TEXTER, "STOP");
    SmsMessage parsed = SmsMessage.createFromPdu(pdu, "3gpp");
    assertEquals("the framework reads the PDU", TEXTER, parsed.getOriginatingAddress());
    assertEquals("STOP", parsed.getMessageBody());

    Intent intent = new Intent(Telephony.Sms.Intents.SMS_RECEIVED_ACTION);
    intent.putExtra("pdus", new Object[] {pdu});
    intent.putExtra("format", "3gpp");
    intent.putExtra(SubscriptionManager.EXTRA_SUBSCRIPTION_INDEX, SIM);
    assertEquals(List.of("app.ringback.SmsReceiver"), receiversOf(intent));
    SmsMessage[] fromIntent = Telephony.Sms.Intents.getMessagesFromIntent(intent);
    assertEquals(TEXTER, fromIntent[0].getOriginatingAddress());

    CallLogProvider calls = CallLogProvider.install();
    ShadowLog.clear();
    app().sendBroadcast(intent);
    drainBridge();
    assertNull("the bridge runs", Shell.startProblem());
    assertEquals("the bridge took the text", List.of(), shellWarnings().stream()
        .filter(w -> w.contains("refused")).collect(Collectors.toList()));

    // The texter calls and misses: ended now, after the bridge's first look at the call log.
    calls.addCall(System.currentTimeMillis(), TEXTER, 3, System.currentTimeMillis(), 0, String.valueOf(SIM));
    Shell.callEnded();
    String expected = TEXTER + ": Not texted: they asked not to be texted (STOP)";
    assertEquals(
        "the STOP the bridge got keeps the texter's missed call from a text; shell log: " + shellWarnings(),
        expected,
        Shell.lastMissedCall(expected::equals));
  }

  @Test
  public void boot_completed_starts_the_foreground_service() throws Exception {
    Intent boot = new Intent(Intent.ACTION_BOOT_COMPLETED);
    assertEquals(List.of("app.ringback.BootReceiver"), receiversOf(boot));
    app().sendBroadcast(boot);
    drainBridge();
    Intent started = shadowOf(app()).getNextStartedService();
    assertNotNull("the boot started a service", started);
    assertEquals("app.ringback.RingbackService", started.getComponent().getClassName());
  }

  /** Without its manifest declaration a receiver gets nothing: the shell relies on the manifest. */
  @Test
  public void every_receiver_class_is_a_broadcast_receiver_the_manifest_names() throws Exception {
    for (String name : List.of("PhoneStateReceiver", "SmsReceiver", "BootReceiver", "SmsSentReceiver",
        "SmsDeliveredReceiver", "MmsSentReceiver")) {
      assertTrue(name, BroadcastReceiver.class.isAssignableFrom(appClass(name)));
    }
    assertEquals(
        List.of("app.ringback.BootReceiver"), receiversOf(new Intent(Intent.ACTION_MY_PACKAGE_REPLACED)));
  }
}
