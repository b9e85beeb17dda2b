package app.ringback.robo.platform;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static app.ringback.robo.platform.Probe.args;
import static app.ringback.robo.platform.Probe.error;
import static app.ringback.robo.platform.Probe.ok;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Application;
import android.app.PendingIntent;
import android.content.Intent;
import android.os.Build;
import android.telephony.SmsManager;
import android.telephony.SubscriptionManager;
import java.io.File;
import java.util.Arrays;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowSmsManager;
import org.robolectric.shadows.ShadowSubscriptionManager.SubscriptionInfoBuilder;

/**
 * Picture messages through ringback-bridge's jni platform on the real framework: the MMS
 * provider's rows, addresses, parts and part bytes (ContentResolver.openInputStream), and
 * SmsManager.sendMultimediaMessage with its PendingIntent. Ported from
 * android-bridge/tests/jvm/mms.rs.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {26, 31, 33, 35})
public class MmsTest {
  private static final byte[] JPEG = {
    (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10, 'J', 'F', 'I', 'F',
    (byte) 0xFF, (byte) 0xD9
  };
  private static final String TO = "+12125550142";

  private Application app;
  private MmsProvider mms;

  @Before
  public void setUp() {
    app = RuntimeEnvironment.getApplication();
    app.getApplicationInfo().targetSdkVersion = 35;
    shadowOf(app)
        .grantPermissions(
            Manifest.permission.SEND_SMS,
            Manifest.permission.READ_SMS,
            Manifest.permission.READ_PHONE_STATE);
    mms = Robolectric.setupContentProvider(MmsProvider.class, "mms");
    for (int id : new int[] {1, 2}) {
      shadowOf(SmsManager.getSmsManagerForSubscriptionId(id))
          .clearLastSentMultimediaMessageParams();
    }
  }

  @After
  public void tearDown() {
    mms.shutdown();
  }

  private JSONObject run(String op, JSONObject args) {
    return Probe.run(app, op, args);
  }

  private static byte[] bytes(Object list) throws JSONException {
    if (list == JSONObject.NULL) {
      return null;
    }
    JSONArray array = (JSONArray) list;
    byte[] out = new byte[array.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) array.getInt(i);
    }
    return out;
  }

  private static JSONArray list(byte[] bytes) {
    JSONArray out = new JSONArray();
    for (byte b : bytes) {
      out.put(b & 0xFF);
    }
    return out;
  }

  @Test
  public void aDownloadedPictureMessageReadsWithItsSenderTextAndPhoto() throws JSONException {
    assertEquals("an empty provider", JSONObject.NULL, ok(run("mms_last_id", args())));
    // m-retrieve-conf (132) in the inbox (1) on SIM 2, date in seconds.
    mms.addMessage(7, 1, 132, 1_793_000_000L, 2, "http://mmsc/7", "T7", 4_000);
    mms.addAddress(7, TO, 137);
    mms.addAddress(7, "+447700900123", 151);
    mms.addAddress(7, "+15551230000", 151);
    mms.addPart(7, 70, "application/smil", null, "<smil/>", null);
    mms.addPart(7, 71, "text/plain", null, "Here is the leak", null);
    mms.addPart(7, 72, "image/jpeg", "IMG_0001.jpg", null, JPEG);
    mms.addPart(7, 73, "text/x-vcard", "ann.vcf", null, "BEGIN:VCARD".getBytes());

    JSONArray rows = (JSONArray) ok(run("mms_since", args()));
    assertEquals(1, rows.length());
    JSONObject row = rows.getJSONObject(0);
    assertEquals(7, row.getLong("id"));
    assertEquals("inbox", row.getString("kind"));
    assertEquals(132, row.getInt("message_type"));
    assertEquals("seconds became milliseconds", 1_793_000_000_000L, row.getLong("date_ms"));
    assertEquals(2, row.getInt("subscription_id"));
    assertEquals("http://mmsc/7", row.getString("content_location"));
    JSONArray addresses = row.getJSONArray("addresses");
    assertEquals(3, addresses.length());
    assertEquals(TO, addresses.getJSONObject(0).getString("address"));
    assertEquals(137, addresses.getJSONObject(0).getInt("kind"));
    assertEquals("+447700900123", addresses.getJSONObject(1).getString("address"));
    assertEquals(151, addresses.getJSONObject(2).getInt("kind"));
    JSONArray parts = row.getJSONArray("parts");
    assertEquals(4, parts.length());
    assertEquals("application/smil", parts.getJSONObject(0).getString("content_type"));
    assertEquals("text/plain", parts.getJSONObject(1).getString("content_type"));
    assertEquals("Here is the leak", parts.getJSONObject(1).getString("text"));
    assertTrue("text stays in the row", parts.getJSONObject(1).isNull("data"));
    assertTrue("SMIL is not kept", parts.getJSONObject(0).isNull("data"));
    assertTrue(Arrays.equals(JPEG, bytes(parts.getJSONObject(2).get("data"))));
    assertEquals("IMG_0001.jpg", parts.getJSONObject(2).getString("name"));
    assertTrue(Arrays.equals(
        "BEGIN:VCARD".getBytes(), bytes(parts.getJSONObject(3).get("data"))));
    assertEquals(7L, ((Number) ok(run("mms_last_id", args()))).longValue());
    assertEquals(0, mms.openCursors());
    assertEquals("every part's file is closed", 0, mms.openFiles());
  }

  @Test
  public void theProviderIsReadSinceItsCursorAndOneMessageById() throws JSONException {
    // A notification (130), not downloaded: no parts yet.
    mms.addMessage(3, 1, 130, 1_000, null, "http://mmsc/3", "T3", 90_000);
    mms.addAddress(3, TO, 137);
    mms.addMessage(4, 2, 128, 2_000, 1, null, null, 0);
    mms.addAddress(4, "insert-address-token", 137);
    mms.addAddress(4, TO, 151);

    JSONArray later = (JSONArray) ok(run("mms_since", args("after", 3)));
    assertEquals(1, later.length());
    assertEquals(4, later.getJSONObject(0).getLong("id"));
    assertEquals("sent", later.getJSONObject(0).getString("kind"));

    JSONObject pending = (JSONObject) ok(run("mms_row", args("id", 3)));
    assertEquals(130, pending.getInt("message_type"));
    assertEquals(90_000, pending.getLong("size"));
    assertTrue(pending.isNull("subscription_id"));
    assertEquals(0, pending.getJSONArray("parts").length());

    // The default app downloaded it in place: the row is now 132 with its parts.
    mms.removeMessage(3);
    assertEquals("a deleted row is gone", JSONObject.NULL, ok(run("mms_row", args("id", 3))));
    mms.addMessage(3, 1, 132, 1_000, null, "http://mmsc/3", "T3", 90_000);
    mms.addAddress(3, TO, 137);
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    mms.addPart(3, 30, "image/png", null, null, png);
    JSONObject done = (JSONObject) ok(run("mms_row", args("id", 3)));
    assertEquals(132, done.getInt("message_type"));
    assertTrue(Arrays.equals(png, bytes(done.getJSONArray("parts").getJSONObject(0).get("data"))));
    assertEquals(0, mms.openCursors());
  }

  @Test
  public void aPartWhoseBytesAreGoneIsLeftOutAndTheRestKept() throws JSONException {
    mms.addMessage(5, 1, 132, 1_000, null, null, null, 0);
    mms.addAddress(5, TO, 137);
    mms.addPart(5, 50, "text/plain", null, "two photos", null);
    // An image part with no file: the provider's openFile throws FileNotFoundException.
    mms.addPart(5, 51, "image/jpeg", null, null, null);
    mms.addPart(5, 52, "image/jpeg", null, null, JPEG);
    JSONArray parts =
        ((JSONArray) ok(run("mms_since", args()))).getJSONObject(0).getJSONArray("parts");
    assertTrue(parts.getJSONObject(1).isNull("data"));
    assertTrue(Arrays.equals(JPEG, bytes(parts.getJSONObject(2).get("data"))));
    assertEquals(0, mms.openCursors());
  }

  @Test
  public void aPartLargerThanRingbackKeepsIsNotReadWholeAndItsFileIsClosed()
      throws JSONException {
    mms.addMessage(9, 1, 132, 1_000, null, null, null, 0);
    mms.addAddress(9, TO, 137);
    byte[] big = new byte[200_000];
    Arrays.fill(big, (byte) 7);
    mms.addPart(9, 90, "video/mp4", "clip.mp4", null, big);
    mms.addPart(9, 91, "image/jpeg", null, null, JPEG);
    JSONArray parts = ((JSONArray) ok(run("mms_since", args("max", 100_000))))
        .getJSONObject(0).getJSONArray("parts");
    assertTrue(parts.getJSONObject(0).isNull("data"));
    assertTrue(parts.getJSONObject(0).getBoolean("too_large"));
    assertTrue("the rest is kept", Arrays.equals(JPEG, bytes(parts.getJSONObject(1).get("data"))));
    assertEquals(0, mms.openFiles());
  }

  @Test
  public void aMissingPermissionIsSaidInWords() {
    shadowOf(app).denyPermissions(Manifest.permission.READ_SMS);
    String denied = error(run("mms_since", args()));
    assertTrue(denied, denied.contains("READ_SMS"));
    assertTrue(denied, denied.contains("picture messages"));
    assertEquals(0, mms.openCursors());
  }

  private JSONObject sendMms(long messageId, String line, Object photo) {
    JSONObject args = args("message_id", messageId, "line", line, "to", TO,
        "text", "Here is the part we would fit");
    try {
      if (photo instanceof Integer) {
        args.put("photo_zeros", photo);
      } else {
        args.put("photo", list((byte[]) photo));
      }
    } catch (JSONException e) {
      throw new AssertionError(e);
    }
    return run("send_mms", args);
  }

  private void sims() {
    shadowOf(app.getSystemService(SubscriptionManager.class))
        .setActiveSubscriptionInfoList(Arrays.asList(
            SubscriptionInfoBuilder.newBuilder().setId(1).setSimSlotIndex(0)
                .setDisplayName("Personal").buildSubscriptionInfo(),
            SubscriptionInfoBuilder.newBuilder().setId(2).setSimSlotIndex(1)
                .setDisplayName("Work").buildSubscriptionInfo()));
  }

  @Test
  public void aPictureMessageGoesToSendMultimediaMessageOnItsSimWithOurPdu()
      throws JSONException {
    sims();
    ok(sendMms(55, "2", JPEG));

    ShadowSmsManager.SendMultimediaMessageParams sent =
        shadowOf(SmsManager.getSmsManagerForSubscriptionId(2)).getLastSentMultimediaMessageParams();
    assertEquals(
        "content://" + app.getPackageName() + ".mms/mms-out/55.pdu",
        sent.getContentUri().toString());
    assertNull(sent.getLocationUrl());
    assertNull(sent.getConfigOverrides());
    PendingIntent pending = sent.getSentIntent();
    int flags = shadowOf(pending).getFlags();
    assertEquals(
        Build.VERSION.SDK_INT >= 31
            ? PendingIntent.FLAG_MUTABLE | PendingIntent.FLAG_ONE_SHOT
            : PendingIntent.FLAG_ONE_SHOT,
        flags);
    Intent intent = shadowOf(pending).getSavedIntent();
    assertEquals("app.ringback.MMS_SENT", intent.getAction());
    assertEquals(app.getPackageName(), intent.getPackage());
    assertEquals(55, intent.getLongExtra("message_id", -1));

    // The file the app's provider serves is the m-send-req, whole.
    File file = new File(app.getCacheDir(), "mms-out/55.pdu");
    JSONObject pdu = (JSONObject) ok(run("decode_pdu", args("path", file.getPath())));
    assertEquals("SendReq", pdu.getString("message_type"));
    assertEquals("+12125550142/TYPE=PLMN", pdu.getJSONArray("to").getString(0));
    JSONArray parts = pdu.getJSONArray("parts");
    assertEquals("application/smil", parts.getJSONObject(0).getString("content_type"));
    assertEquals("text/plain", parts.getJSONObject(1).getString("content_type"));
    assertEquals("Here is the part we would fit", parts.getJSONObject(1).getString("text"));
    assertEquals("image/jpeg", parts.getJSONObject(2).getString("content_type"));
    assertTrue(Arrays.equals(JPEG, bytes(parts.getJSONObject(2).get("data"))));
  }

  @Test
  public void aPictureMessageThatCannotLeaveSaysWhy() {
    sims();
    assertEquals("\"the SIM this conversation uses is not in the phone\"",
        JSONObject.quote(error(sendMms(56, "7", JPEG))));
    String tooLarge = error(sendMms(57, "2", 2 * 1024 * 1024 + 1));
    assertTrue(tooLarge, tooLarge.contains("smaller photos"));
    assertNull("nothing was sent",
        shadowOf(SmsManager.getSmsManagerForSubscriptionId(2)).getLastSentMultimediaMessageParams());
  }
}
