package app.ringback.robo.shell;

import static app.ringback.robo.shell.Shell.app;
import static app.ringback.robo.shell.Shell.appClass;
import static app.ringback.robo.shell.Shell.drainBridge;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import app.ringback.robo.platform.CallLogProvider;
import android.app.Activity;
import android.app.PendingIntent;
import android.app.Service;
import android.content.Intent;
import android.telephony.ServiceState;
import android.telephony.SmsManager;
import android.telephony.TelephonyManager;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.android.controller.ServiceController;
import org.robolectric.shadows.ShadowLog;
import org.robolectric.shadows.ShadowSmsManager;
import org.robolectric.shadows.ShadowSmsManager.TextMultipartParams;

/**
 * The radio's reports on a text-back, as SmsManager delivers them: each part's "sent"
 * PendingIntent fired with the radio's result code reaches the app's SmsSentReceiver
 * (declared by its manifest), which hands the code to the bridge; a text that found no
 * service goes again when RingbackService's watcher (ServiceWatcher) sees its SIM back in
 * service, and is "texted back" once the radio took every part.
 */
@RunWith(RobolectricTestRunner.class)
public class SentReportsTest extends ShellTest {
  private static final int SIM = 2;
  /** Called only in this test (the bridge is one per JVM and remembers every number). */
  private static final String CALLER = "+12125550177";

  @Before
  public void setUp() {
    Shell.phoneWithSim(SIM);
  }

  /** Fires each PendingIntent as SmsManager does, with the radio's result code. */
  private static void report(Iterable<PendingIntent> reports, int resultCode) throws Exception {
    for (PendingIntent report : reports) report.send(app(), resultCode, null);
    drainBridge();
  }

  /** The next text to CALLER after {@code previous}, within 10 s; null when none came. */
  private static TextMultipartParams nextTextToCaller(ShadowSmsManager sms, TextMultipartParams previous)
      throws Exception {
    for (int i = 0; i < 100; i++) {
      TextMultipartParams last = sms.getLastSentMultipartTextMessageParams();
      if (last != null && last != previous && CALLER.equals(last.getDestinationAddress())) return last;
      Thread.sleep(100);
      drainBridge();
    }
    return null;
  }

  private static String shellLog() {
    return ShadowLog.getLogsForTag("Ringback").stream()
        .map(l -> l.msg + (l.throwable == null ? "" : ": " + l.throwable))
        .collect(java.util.stream.Collectors.joining("; "));
  }

  @Test
  public void a_text_with_no_service_goes_again_when_its_sim_is_back_and_is_texted_back_once_sent()
      throws Throwable {
    // The SIM's own TelephonyManager, which ServiceWatcher listens on.
    TelephonyManager telephony = app().getSystemService(TelephonyManager.class);
    shadowOf(telephony).setTelephonyManagerForSubscriptionId(SIM, telephony);
    shadowOf(telephony).setServiceState(serviceState(ServiceState.STATE_IN_SERVICE));
    CallLogProvider calls = CallLogProvider.install();
    Class<Service> type = appClass("RingbackService");
    ServiceController<Service> service =
        Robolectric.buildService(type, new Intent(app(), type)).create().startCommand(0, 1);
    // The bridge reads the call log up to here: its history.
    Shell.callEnded();

    ShadowLog.clear();
    long now = System.currentTimeMillis();
    calls.addCall(now, "(212) 555-0177", 3, now, 0, String.valueOf(SIM));
    Shell.callEnded();
    ShadowSmsManager sms = shadowOf(SmsManager.getSmsManagerForSubscriptionId(SIM));
    TextMultipartParams first = nextTextToCaller(sms, null);
    assertNotNull("the missed call was texted back; shell log: " + shellLog() + "; bridge: " + Shell.bridgeProblems(),
        first);
    assertEquals("no problem with the texts yet", List.of(), lastTextProblems(p -> true));

    // The radio had no service: every part fails with RESULT_ERROR_NO_SERVICE.
    report(first.getSentIntents(), SmsManager.RESULT_ERROR_NO_SERVICE);
    List<String> failed = lastTextProblems(p -> !p.isEmpty());
    assertTrue(
        "the bridge took the radio's code: the status says the last text failed for no service: " + failed,
        failed.size() == 1 && failed.get(0).startsWith("The last text the phone sent failed: no mobile service"));
    // SIM 2 loses its service, then has it back: the watcher tells the bridge, which sends again.
    shadowOf(telephony).setServiceState(serviceState(ServiceState.STATE_OUT_OF_SERVICE));
    drainBridge();
    shadowOf(telephony).setServiceState(serviceState(ServiceState.STATE_IN_SERVICE));
    drainBridge();
    TextMultipartParams again = nextTextToCaller(sms, first);
    assertNotNull(
        "the text that found no service goes again when SIM " + SIM + "'s service returns; shell log: "
            + shellLog() + "; last missed call: " + Shell.lastMissedCall(s -> true),
        again);
    assertEquals("the same text", first.getParts(), again.getParts());

    // This time the radio takes every part: the failure is over.
    report(again.getSentIntents(), Activity.RESULT_OK);
    assertEquals("the last text was sent", List.of(), lastTextProblems(List::isEmpty));
    String last = Shell.lastMissedCall(s -> s.startsWith(CALLER + ": "));
    assertTrue("texted back: " + last, String.valueOf(last).startsWith(CALLER + ": Texted back at "));
    service.destroy();
    drainBridge();
  }

  /**
   * The status's problems about the last text (what precedes its fix, "The last text the
   * phone sent failed: ..."), polled until {@code done} accepts them, at most 10 s.
   */
  @SuppressWarnings("unchecked")
  private static List<String> lastTextProblems(Predicate<List<String>> done) throws Throwable {
    List<String> seen = List.of();
    for (int i = 0; i < 100; i++) {
      drainBridge();
      List<String> problems = (List<String>) Shell.get(Shell.call(Shell.bridge(), "status"), "Problems");
      seen = problems.stream()
          .filter(p -> p.startsWith("The last text"))
          .map(p -> p.split(" — ")[0])
          .collect(Collectors.toList());
      if (done.test(seen)) return seen;
      Thread.sleep(100);
    }
    return seen;
  }

  private static ServiceState serviceState(int state) {
    ServiceState serviceState = new ServiceState();
    serviceState.setState(state);
    return serviceState;
  }
}
