package app.ringback.robo.platform;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static app.ringback.robo.platform.Probe.args;
import static app.ringback.robo.platform.Probe.error;
import static app.ringback.robo.platform.Probe.ok;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Application;
import android.app.PendingIntent;
import android.content.ContentValues;
import android.content.Intent;
import android.os.Build;
import android.provider.CallLog;
import android.provider.ContactsContract;
import android.provider.Telephony;
import android.telephony.SmsManager;
import android.telephony.SubscriptionInfo;
import android.telephony.SubscriptionManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.robolectric.shadows.ShadowSubscriptionManager;
import org.robolectric.shadows.ShadowSubscriptionManager.SubscriptionInfoBuilder;

/**
 * ringback-bridge's jni platform ({@code AndroidPlatform}) on the real framework: the texts it
 * hands to {@link SmsManager} with real {@link PendingIntent}s, the call log, SMS provider and
 * contacts it reads through real {@code ContentProvider}s, and the SIMs from {@link
 * SubscriptionManager}. Ported from android-bridge/tests/jvm.rs, which ran the same code
 * against hand-written doubles.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {26, 31, 33, 35})
public class PlatformTest {
  private static final String TO = "+12125550123";
  private static final String SENT = "app.ringback.SMS_SENT";
  private static final String DELIVERED = "app.ringback.SMS_DELIVERED";

  private Application app;
  /** Providers this test set up, shut down after it. */
  private final List<SqlProvider> providers = new ArrayList<>();

  @Before
  public void setUp() {
    app = RuntimeEnvironment.getApplication();
    // The app's targetSdk (Robolectric's app without a manifest targets 23).
    app.getApplicationInfo().targetSdkVersion = 35;
    shadowOf(app)
        .grantPermissions(
            Manifest.permission.SEND_SMS,
            Manifest.permission.READ_SMS,
            Manifest.permission.READ_CALL_LOG,
            Manifest.permission.READ_CONTACTS,
            Manifest.permission.READ_PHONE_STATE);
    // The phone's default SIM for texts. (Robolectric has no telephony service, so from API 31
    // SmsManager.getDefault() cannot divide or send at all: "Sms is not supported".)
    ShadowSubscriptionManager.setDefaultSmsSubscriptionId(1);
    ShadowSmsManager.setDefaultSmsSubscriptionId(1);
    // SmsManager keeps one instance per subscription for the process (and so its shadow's
    // last send): start each test with none recorded.
    for (SmsManager manager : new SmsManager[] {
        SmsManager.getDefault(),
        SmsManager.getSmsManagerForSubscriptionId(1),
        SmsManager.getSmsManagerForSubscriptionId(2)}) {
      shadowOf(manager).clearLastSentMultipartTextMessageParams();
    }
  }

  @After
  public void tearDown() {
    for (SqlProvider provider : providers) {
      provider.shutdown();
    }
  }

  private <T extends SqlProvider> T provider(Class<T> kind, String authority) {
    T provider = Robolectric.setupContentProvider(kind, authority);
    providers.add(provider);
    return provider;
  }

  // ---- helpers ----

  private JSONObject run(String op, JSONObject args) {
    return Probe.run(app, op, args);
  }

  private JSONObject send(long messageId, String line, String body) {
    return run("send", args("message_id", messageId, "line", line, "to", TO, "body", body));
  }

  private void sims(SubscriptionInfo... infos) {
    shadowOf(app.getSystemService(SubscriptionManager.class))
        .setActiveSubscriptionInfoList(infos == null ? null : Arrays.asList(infos));
  }

  private static SubscriptionInfo sim(int id, int slot, String name, String iccId) {
    SubscriptionInfoBuilder builder =
        SubscriptionInfoBuilder.newBuilder().setId(id).setSimSlotIndex(slot).setDisplayName(name);
    if (iccId != null) {
      builder.setIccId(iccId);
    }
    return builder.buildSubscriptionInfo();
  }

  private static ShadowSmsManager.TextMultipartParams lastSend(SmsManager manager) {
    return shadowOf(manager).getLastSentMultipartTextMessageParams();
  }

  /** 400 characters of GSM text, all different in order, so the parts' order shows. */
  private static String longText() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      text.append((char) ('a' + i % 26));
    }
    return text.toString();
  }

  /**
   * The flags the report intents must have: explicitly mutable from API 31 (SmsManager fills
   * the delivery report's pdu and format in; Robolectric does not enforce the S+ rule, so it
   * is asserted here), and one-shot.
   */
  private static int reportFlags() {
    return Build.VERSION.SDK_INT >= 31
        ? PendingIntent.FLAG_MUTABLE | PendingIntent.FLAG_ONE_SHOT
        : PendingIntent.FLAG_ONE_SHOT;
  }

  /** Checks one text's report intents and adds their request codes to {@code codes}. */
  private void assertReports(
      ShadowSmsManager.TextMultipartParams sent, long messageId, int parts, Set<Integer> codes) {
    for (int kind = 0; kind < 2; kind++) {
      List<PendingIntent> intents = kind == 0 ? sent.getSentIntents() : sent.getDeliveryIntents();
      String action = kind == 0 ? SENT : DELIVERED;
      assertEquals("one " + action + " intent per part", parts, intents.size());
      for (int part = 0; part < parts; part++) {
        PendingIntent pending = intents.get(part);
        assertTrue(shadowOf(pending).isBroadcast());
        int flags = shadowOf(pending).getFlags();
        assertEquals("flags of " + action + " " + part, reportFlags(), flags);
        if (Build.VERSION.SDK_INT >= 31) {
          assertFalse("the framework fills the report in", shadowOf(pending).isImmutable());
          assertEquals(0, flags & PendingIntent.FLAG_IMMUTABLE);
        }
        Intent intent = shadowOf(pending).getSavedIntent();
        assertEquals(action, intent.getAction());
        assertEquals(app.getPackageName(), intent.getPackage());
        assertEquals(messageId, intent.getLongExtra("message_id", -1));
        assertEquals(part, intent.getIntExtra("part", -1));
        assertEquals(parts, intent.getIntExtra("parts", -1));
        assertTrue(
            "request codes are unique", codes.add(shadowOf(pending).getRequestCode()));
      }
    }
  }

  // ---- sending ----

  @Test
  public void aLongTextGoesOutInPartsOnItsSimWithAReportIntentPerPart() {
    sims(sim(1, 0, "Personal", null), sim(2, 1, "Work", null));
    String body = longText();

    ok(send(41, "2", body));

    SmsManager work = SmsManager.getSmsManagerForSubscriptionId(2);
    ShadowSmsManager.TextMultipartParams sent = lastSend(work);
    assertEquals(TO, sent.getDestinationAddress());
    assertNull(sent.getScAddress());
    List<String> parts = sent.getParts();
    assertEquals(Arrays.asList(153, 153, 94), Arrays.asList(
        parts.get(0).length(), parts.get(1).length(), parts.get(2).length()));
    assertEquals(body, String.join("", parts));
    assertNull("not on the other SIM", lastSend(SmsManager.getSmsManagerForSubscriptionId(1)));
    Set<Integer> codes = new HashSet<>();
    assertReports(sent, 41, 3, codes);

    // The next text's intents are its own: Android hands back the live PendingIntent (old
    // extras and all) for an equal intent with a request code used before.
    ok(send(42, "2", body));
    assertReports(lastSend(work), 42, 3, codes);
  }

  @Test
  public void aShortTextOnTheDefaultSimIsStillMultipartAndNonGsmTextSplitsAt67() {
    ok(send(7, "", "Sorry I missed you"));
    // The default SIM for texts is subscription 1 (setUp), named to SmsManager. At API 26
    // SmsManager.getDefaultSmsSubscriptionId() asks the telephony service, which Robolectric
    // lacks (-1, no default), so there the text goes through getDefault().
    SmsManager manager =
        Build.VERSION.SDK_INT >= 31
            ? SmsManager.getSmsManagerForSubscriptionId(1)
            : SmsManager.getDefault();
    ShadowSmsManager.TextMultipartParams first = lastSend(manager);
    assertEquals(Arrays.asList("Sorry I missed you"), first.getParts());
    assertReports(first, 7, 1, new HashSet<>());

    // Cyrillic is not in the GSM alphabet: UCS-2, 67 characters a part. ("é" is GSM-7, and
    // 100 of them are one part: the hand-written double split them at 67.)
    ok(send(8, "", "ж".repeat(100)));
    assertEquals(
        Arrays.asList("ж".repeat(67), "ж".repeat(33)), lastSend(manager).getParts());
    ok(send(9, "", "é".repeat(100)));
    assertEquals(Arrays.asList("é".repeat(100)), lastSend(manager).getParts());
  }

  @Test
  public void aLineThatNamesNoActiveSimIsNoSuchLine() throws JSONException {
    sims(sim(1, 0, "Personal", null), sim(2, 1, "Work", null));
    for (String line : new String[] {"9", "work"}) {
      JSONObject answer = send(1, line, "hi");
      assertEquals("no_such_line", error(answer));
    }
    assertNull(lastSend(SmsManager.getSmsManagerForSubscriptionId(1)));
    assertNull(lastSend(SmsManager.getSmsManagerForSubscriptionId(2)));
    assertNull(lastSend(SmsManager.getDefault()));
  }

  @Test
  public void aTextTheFrameworkRefusesIsDescribed() {
    // SmsManager refuses an empty destination with IllegalArgumentException.
    JSONObject answer = run("send", args("message_id", 7, "line", "", "to", "", "body", "hi"));
    assertEquals(
        "{\"other\":\"Android refused the text (java.lang.IllegalArgumentException: "
            + "Invalid destinationAddress)\"}",
        error(answer));
    ok(send(8, "", "then a text goes"));
  }

  // ---- the call log ----

  private CallLogProvider callLog() {
    return provider(CallLogProvider.class, CallLog.AUTHORITY);
  }

  @Test
  public void theCallLogMapsEveryTypeReadsSinceAnIdAndNamesLines() throws JSONException {
    sims(sim(3, 1, "Travel", "8944110068256270054"));
    CallLogProvider log = callLog();
    long start = 1_700_000_000_000L;
    int[] types = {
      CallLog.Calls.INCOMING_TYPE,
      CallLog.Calls.OUTGOING_TYPE,
      CallLog.Calls.MISSED_TYPE,
      CallLog.Calls.VOICEMAIL_TYPE,
      CallLog.Calls.REJECTED_TYPE,
      CallLog.Calls.BLOCKED_TYPE,
      CallLog.Calls.ANSWERED_EXTERNALLY_TYPE,
    };
    for (int i = 0; i < types.length; i++) {
      log.addCall(i + 1, TO, types[i], start + (i + 1) * 60_000L, 30, "2");
    }
    log.addCall(8, TO, 99, start, 0, "2");
    log.addCall(9, null, CallLog.Calls.MISSED_TYPE, start, 0, "8944110068256270054F");
    log.addCall(10, "+447700900123", CallLog.Calls.MISSED_TYPE, start, 0, null);

    JSONArray all = (JSONArray) ok(run("call_log", args()));
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < all.length(); i++) {
      JSONObject call = all.getJSONObject(i);
      outcomes.add(call.getLong("log_id") + " " + call.getString("outcome"));
    }
    assertEquals(
        Arrays.asList(
            "1 Answered", "2 Outgoing", "3 Missed", "4 Voicemail", "5 Rejected", "6 Blocked",
            "7 Answered", "9 Missed", "10 Missed"),
        outcomes);
    JSONObject third = all.getJSONObject(2);
    assertEquals(TO, third.getString("number"));
    assertEquals("2", third.getString("line"));
    assertEquals("ends at the start plus the duration",
        start + 3 * 60_000L + 30_000L, third.getLong("ended_at_ms"));
    JSONObject hidden = all.getJSONObject(7);
    assertEquals("a private caller has no number", "", hidden.getString("number"));
    assertEquals("the ICCID names SIM 3", "3", hidden.getString("line"));
    assertEquals("", all.getJSONObject(8).getString("line"));

    JSONArray later = (JSONArray) ok(run("call_log", args("after", 5)));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < later.length(); i++) {
      ids.add(later.getJSONObject(i).getLong("log_id"));
    }
    assertEquals(Arrays.asList(6L, 7L, 9L, 10L), ids);

    SqlProvider.Query query = log.lastQuery();
    assertEquals(CallLog.Calls.CONTENT_URI, query.uri);
    assertEquals(
        Arrays.asList(
            CallLog.Calls._ID,
            CallLog.Calls.NUMBER,
            CallLog.Calls.TYPE,
            CallLog.Calls.DATE,
            CallLog.Calls.DURATION,
            CallLog.Calls.PHONE_ACCOUNT_ID),
        query.projection);
    assertEquals("_id > ?", query.selection);
    assertEquals(Arrays.asList("5"), query.selectionArgs);
    assertEquals("_id ASC", query.sortOrder);
    assertEquals("every cursor is closed", 0, log.openCursors());
  }

  @Test
  public void withoutTheCallLogPermissionTheErrorNamesTheSetting() {
    CallLogProvider log = callLog();
    log.addCall(1, TO, CallLog.Calls.MISSED_TYPE, 1_700_000_000_000L, 0, "1");
    shadowOf(app).denyPermissions(Manifest.permission.READ_CALL_LOG);

    String denied = error(run("call_log", args()));
    assertTrue(denied, denied.contains("Call logs"));
    assertTrue(denied, denied.contains("READ_CALL_LOG"));

    shadowOf(app).grantPermissions(Manifest.permission.READ_CALL_LOG);
    assertEquals(1, ((JSONArray) ok(run("call_log", args()))).length());
    assertEquals(0, log.openCursors());
  }

  @Test
  public void noCallLogProviderIsAnErrorNamingTheUri() {
    String none = error(run("call_log", args()));
    assertTrue(none, none.contains("content://call_log/calls"));
  }

  // ---- contacts ----

  @Test
  public void contactsAreLookedUpByTheEncodedNumber() {
    PhoneLookupProvider contacts =
        Robolectric.setupContentProvider(PhoneLookupProvider.class, ContactsContract.AUTHORITY);
    contacts.contacts.put("+44 20 7946 0958", "Ada Lovelace");

    assertEquals("Ada Lovelace", ok(run("lookup", args("number", "+44 20 7946 0958"))));
    assertEquals(JSONObject.NULL, ok(run("lookup", args("number", "+44 20 7946 0000"))));

    assertEquals(
        "the number is Uri.encode'd into PhoneLookup's path",
        "content://com.android.contacts/phone_lookup/%2B442079460958",
        contacts.uris.get(0).toString());
    assertEquals(
        Arrays.asList(ContactsContract.PhoneLookup.DISPLAY_NAME),
        Arrays.asList(contacts.projections.get(0)));
    assertEquals(0, contacts.openCursors());

    // Without the permission a caller is just unnamed.
    shadowOf(app).denyPermissions(Manifest.permission.READ_CONTACTS);
    assertEquals(JSONObject.NULL, ok(run("lookup", args("number", "+442079460958"))));
  }

  // ---- SIMs ----

  @Test
  public void theSimsAsTheFrameworkListsThem() throws JSONException {
    sims(sim(1, 0, "Personal", "8944110068256270054"), sim(2, 1, "Work", null));
    JSONArray lines = (JSONArray) ok(run("lines", args()));
    assertEquals(2, lines.length());
    assertEquals(1, lines.getJSONObject(0).getInt("subscription_id"));
    assertEquals(0, lines.getJSONObject(0).getInt("slot"));
    assertEquals("Personal", lines.getJSONObject(0).getString("display_name"));
    assertEquals(2, lines.getJSONObject(1).getInt("subscription_id"));
    assertEquals(1, lines.getJSONObject(1).getInt("slot"));
    assertEquals("Work", lines.getJSONObject(1).getString("display_name"));

    sims((SubscriptionInfo[]) null);
    assertEquals("null means no SIM", 0, ((JSONArray) ok(run("lines", args()))).length());

    sims(sim(1, 0, "Personal", null));
    shadowOf(app.getSystemService(SubscriptionManager.class)).setReadPhoneStatePermission(false);
    String denied = error(run("lines", args()));
    assertTrue(denied, denied.contains("READ_PHONE_STATE"));
  }

  // ---- the SMS provider ----

  private static void addSms(
      SmsProvider sms, long id, String address, String body, int type, long date, long dateSent,
      Integer subscription) {
    ContentValues row = new ContentValues();
    row.put(Telephony.Sms._ID, id);
    row.put(Telephony.Sms.ADDRESS, address);
    row.put(Telephony.Sms.BODY, body);
    row.put(Telephony.Sms.TYPE, type);
    row.put(Telephony.Sms.DATE, date);
    row.put(Telephony.Sms.DATE_SENT, dateSent);
    if (subscription != null) {
      row.put(Telephony.Sms.SUBSCRIPTION_ID, subscription);
    }
    sms.insert(Telephony.Sms.CONTENT_URI, row);
  }

  @Test
  public void theSmsProviderIsReadSinceAnId() throws JSONException {
    SmsProvider sms = provider(SmsProvider.class, "sms");
    assertEquals("an empty provider", JSONObject.NULL, ok(run("sms_last_id", args())));
    addSms(sms, 10, TO, "Call me back", Telephony.Sms.MESSAGE_TYPE_INBOX, 1_000, 900, 1);
    addSms(sms, 11, TO, "On my way", Telephony.Sms.MESSAGE_TYPE_SENT, 2_000, 0, null);
    addSms(sms, 12, TO, "draft", Telephony.Sms.MESSAGE_TYPE_DRAFT, 3_000, 0, 2);
    addSms(sms, 13, "+447700900123", "Hello", Telephony.Sms.MESSAGE_TYPE_INBOX, 4_000, 3_900,
        -1);

    JSONArray all = (JSONArray) ok(run("sms_since", args()));
    assertEquals(4, all.length());
    JSONObject first = all.getJSONObject(0);
    assertEquals(10, first.getLong("id"));
    assertEquals(TO, first.getString("address"));
    assertEquals("Call me back", first.getString("body"));
    assertEquals("inbox", first.getString("kind"));
    assertEquals(1_000, first.getLong("date_ms"));
    assertEquals(900, first.getLong("date_sent_ms"));
    assertEquals(1, first.getInt("subscription_id"));
    assertEquals("sent", all.getJSONObject(1).getString("kind"));
    assertTrue("no sub_id is none", all.getJSONObject(1).isNull("subscription_id"));
    assertEquals("other", all.getJSONObject(2).getString("kind"));
    assertTrue("-1 is no subscription", all.getJSONObject(3).isNull("subscription_id"));

    JSONArray later = (JSONArray) ok(run("sms_since", args("after", 11)));
    assertEquals(2, later.length());
    assertEquals(12, later.getJSONObject(0).getLong("id"));
    assertEquals(13, later.getJSONObject(1).getLong("id"));
    assertEquals(13L, ((Number) ok(run("sms_last_id", args()))).longValue());
    assertEquals(
        Arrays.asList(
            Telephony.Sms._ID,
            Telephony.Sms.ADDRESS,
            Telephony.Sms.BODY,
            Telephony.Sms.TYPE,
            Telephony.Sms.DATE,
            Telephony.Sms.DATE_SENT,
            Telephony.Sms.SUBSCRIPTION_ID),
        sms.queries.get(1).projection);
    assertEquals(0, sms.openCursors());

    shadowOf(app).denyPermissions(Manifest.permission.READ_SMS);
    String denied = error(run("sms_since", args()));
    assertTrue(denied, denied.contains("READ_SMS"));
  }
}
