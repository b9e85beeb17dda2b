package app.ringback.robo.shell;

import static app.ringback.robo.shell.Shell.app;
import static app.ringback.robo.shell.Shell.appClass;
import static app.ringback.robo.shell.Shell.drainBridge;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import app.ringback.robo.platform.CallLogProvider;
import android.app.Service;
import android.content.Intent;
import android.provider.Telephony;
import app.ringback.robo.platform.MmsProvider;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.android.controller.ServiceController;

/**
 * A picture message the default SMS app downloaded: the MMS provider (a real ContentProvider
 * with the framework's column names, app.ringback.robo.platform.MmsProvider) notifies its
 * observers, RingbackService's observer hands the change to the bridge, whose jni code reads
 * the sender, the text and the photo. The sender is then in a conversation: their missed
 * call gets no text, which the bridge's status says.
 */
@RunWith(RobolectricTestRunner.class)
public class PictureMessageTest extends ShellTest {
  private static final int SIM = 2;
  /** Sends the picture message and then calls; in no other test. */
  private static final String SENDER = "+12125550144";
  private static final byte[] JPEG = {
    (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10, 'J', 'F', 'I', 'F',
    (byte) 0xFF, (byte) 0xD9
  };

  @Test
  public void a_downloaded_picture_message_is_read_through_the_service_observer() throws Throwable {
    Shell.phoneWithSim(SIM);
    CallLogProvider calls = CallLogProvider.install();
    MmsProvider mms = Robolectric.setupContentProvider(MmsProvider.class, "mms");
    Class<Service> type = appClass("RingbackService");
    ServiceController<Service> service =
        Robolectric.buildService(type, new Intent(app(), type)).create().startCommand(0, 1);
    try {
      // The bridge reads both providers up to here: what is in them is history.
      Shell.callEnded();
      app().getContentResolver().notifyChange(Telephony.Mms.CONTENT_URI, null);
      drainBridge();

      // Ids only grow through the JVM (the bridge, one per process, keeps its cursor).
      long id = System.currentTimeMillis();
      // m-retrieve-conf (132) in the inbox (1) on SIM 2, its date in seconds; from (137).
      mms.addMessage(id, 1, 132, id / 1000, SIM, "http://mmsc.example/" + id, "T" + id, 1000);
      mms.addAddress(id, SENDER, 137);
      mms.addPart(id, id * 10, "text/plain", null, "Photo of the boiler", null);
      mms.addPart(id, id * 10 + 1, "image/jpeg", "boiler.jpg", null, JPEG);
      app().getContentResolver().notifyChange(Telephony.Mms.CONTENT_URI, null);
      drainBridge();
      assertTrue("the bridge opened the photo; bridge: " + Shell.bridgeProblems(), mms.filesOpened() > 0);
      assertEquals("every cursor was closed", 0, mms.openCursors());
      assertEquals("the photo's file was closed", 0, mms.openFiles());

      // The sender calls and misses: they are texting with the business already.
      calls.addCall(id, SENDER, 3, System.currentTimeMillis(), 0, String.valueOf(SIM));
      Shell.callEnded();
      String expected = SENDER + ": Not texted: you are already texting with them";
      assertEquals("the picture message put its sender in a conversation; bridge: " + Shell.bridgeProblems(),
          expected, Shell.lastMissedCall(expected::equals));
    } finally {
      service.destroy();
      drainBridge();
      mms.shutdown();
    }
  }
}
