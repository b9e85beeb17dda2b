package app.ringback.robo.oracle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.os.Build;
import android.telephony.SmsMessage;
import com.android.internal.telephony.cdma.sms.BearerData;
import com.android.internal.telephony.cdma.sms.CdmaSmsAddress;
import com.android.internal.telephony.cdma.sms.SmsEnvelope;
import com.android.internal.telephony.cdma.sms.UserData;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;

/**
 * AOSP as an oracle for Ringback's delivery report parser ({@code android-bridge/src/report.rs},
 * asked through {@code android-bridge/examples/report_status.rs}, path in
 * -Dringback.reportStatus): random status reports go to Rust and to the framework's
 * {@code SmsMessage.createFromPdu(pdu, format).getStatus()}.
 *
 * <p>The framework's number is turned into delivered / pending / failed the way the framework
 * itself does before it hands the report to the app (SmsDispatchersController
 * .handleSmsStatusReport, SDK 35; the same thresholds as Telephony.Sms.STATUS_*): 3GPP TP-ST
 * below 0x20 is complete, below 0x40 pending (the part stays tracked), else failed; 3GPP2
 * error class ((getStatus() >> 24) & 3) 0 is complete, 2 pending, 1 and 3 failed. Android
 * stops tracking a part at anything but "pending", so no later report follows one. (SDK 26
 * to 28 read 3GPP2 in CdmaSMSDispatcher.handleCdmaStatusReport instead, which stops tracking
 * at the first report of any class; the PDU's status, which this test compares, is the same.)
 *
 * <p>3GPP reports are built here (the framework has no encoder for SMS-STATUS-REPORT); 3GPP2
 * delivery acks by the framework's own encoders (BearerData.encode, cdma.SmsMessage's PDU).
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = {26, 31, 33, 35})
public class ReportStatusOracleTest {
  @Test
  public void gsmStatusReportsAgreeWithTheFramework() throws Exception {
    long seed = RustFilter.seed();
    Random random = new Random(seed);
    // Every TP-ST value at least twice, in random shapes around it.
    int n = Integer.getInteger("ringback.reportCases", 512);
    List<String> mismatches = new ArrayList<>();
    int dropped = 0;
    try (RustFilter rust = RustFilter.start("ringback.reportStatus", "report_status")) {
      for (int i = 0; i < n; i++) {
        boolean validTimes = random.nextInt(16) != 0;
        byte[] pdu = gsmReport(random, i % 256, validTimes);
        boolean cut = random.nextInt(8) == 0;
        if (cut) pdu = Arrays.copyOf(pdu, random.nextInt(pdu.length));
        SmsMessage sms = SmsMessage.createFromPdu(pdu, "3gpp");
        String rustSays = rust.ask("3gpp\t" + hex(pdu));
        if (sms == null) {
          // The framework could not read it, so it never reaches the app (handleSmsStatusReport
          // drops it); Ringback's answer does not matter, only that it gave one.
          assertTrue("only a cut or a bad timestamp gets here: " + hex(pdu), cut || !validTimes);
          dropped++;
          continue;
        }
        String android = gsmVerdict(sms.getStatus());
        if (!android.equals(rustSays)) {
          mismatches.add("3gpp TP-ST 0x" + Integer.toHexString(i % 256) + (cut ? " cut" : "")
              + " pdu " + hex(pdu)
              + ": Ringback " + rustSays + ", Android " + android + " (getStatus "
              + sms.getStatus() + ")");
        }
      }
    }
    report("3gpp", seed, n, dropped, mismatches);
  }

  @Test
  public void cdmaDeliveryAcksAgreeWithTheFramework() throws Exception {
    long seed = RustFilter.seed();
    Random random = new Random(seed);
    int n = Integer.getInteger("ringback.reportCases", 512);
    List<String> mismatches = new ArrayList<>();
    int dropped = 0;
    int explained = 0;
    try (RustFilter rust = RustFilter.start("ringback.reportStatus", "report_status")) {
      for (int i = 0; i < n; i++) {
        // Every (error class, status) pair once in the first 256 cases, then random ones.
        int errorClass = i < 256 ? (i >> 6) & 3 : random.nextInt(4);
        int status = i < 256 ? i & 0x3f : random.nextInt(64);
        boolean statusSet = i < 256 || random.nextInt(8) != 0;
        byte[] full = cdmaAck(random, statusSet, errorClass, status);
        boolean cut = random.nextInt(8) == 0;
        byte[] pdu = cut ? Arrays.copyOf(full, random.nextInt(full.length)) : full;
        SmsMessage sms = SmsMessage.createFromPdu(pdu, "3gpp2");
        if (sms == null) { // dropped by the framework, as above; Ringback must still answer
          assertTrue("the framework reads its own delivery ack: " + hex(pdu), cut);
          rust.ask("3gpp2\t" + hex(pdu));
          dropped++;
          continue;
        }
        String android = cdmaVerdict(sms.getStatus());
        String rustSays = rust.ask("3gpp2\t" + hex(pdu));
        // Bearer data starts after 3 ints, 4 address bytes, the digit count and digits, the
        // bearer reply int, 3 bytes and the bearer data's length int.
        int bearerStart = 28 + (full[16] & 0xff);
        if (cut && pdu.length >= bearerStart && rustSays.startsWith("error\tthe delivery report is cut short")) {
          // Explained: cdma.SmsMessage.parsePdu ignores the short count DataInputStream.read
          // returns, so bearer data cut short decodes as what is left, zero-padded, and reads
          // as a status the report does not carry. Android never hands an app such a PDU (it
          // serialises each ack whole with createPdu); Ringback says it is cut short rather
          // than guess, and the part keeps waiting for its report.
          explained++;
          continue;
        }
        if (!android.equals(rustSays)) {
          mismatches.add("3gpp2 " + (statusSet ? "class " + errorClass + " status " + status
              : "no status") + (cut ? " cut" : "") + " pdu " + hex(pdu) + ": Ringback " + rustSays + ", Android "
              + android + " (getStatus 0x" + Integer.toHexString(sms.getStatus()) + ")");
        }
      }
    }
    System.out.println("ReportStatusOracleTest 3gpp2 sdk " + Build.VERSION.SDK_INT + ": "
        + explained + " cut inside the bearer data, which Android reads anyway and Ringback"
        + " calls cut short");
    report("3gpp2", seed, n, dropped, mismatches);
  }

  private static void report(String format, long seed, int n, int dropped, List<String> mismatches) {
    System.out.println("ReportStatusOracleTest " + format + " sdk " + Build.VERSION.SDK_INT
        + " seed " + seed + ": " + n + " reports, " + dropped + " the framework drops, "
        + mismatches.size() + " disagreements");
    for (String m : mismatches) System.out.println("  MISMATCH " + m);
    assertEquals(mismatches.size() + " disagreements with the framework (seed " + seed + "): "
        + (mismatches.isEmpty() ? "" : mismatches.get(0)), 0, mismatches.size());
  }

  /** SmsDispatchersController.handleSmsStatusReport's reading of a 3GPP TP-ST. */
  private static String gsmVerdict(int status) {
    if (status >= 0x40) return "failed";
    if (status >= 0x20) return "pending";
    return "delivered";
  }

  /** SmsDispatchersController.handleSmsStatusReport's reading of a 3GPP2 status. */
  private static String cdmaVerdict(int status) {
    int errorClass = (status >> 24) & 0x03;
    if (errorClass == 2) return "pending";
    return errorClass == 0 ? "delivered" : "failed";
  }

  /**
   * A 3GPP TS 23.040 §9.2.2.3 SMS-STATUS-REPORT as the radio hands it over (SMSC address
   * first), with random shapes: SMSC absent or present, flag bits, TP-MR, a recipient that is
   * international, national or alphanumeric with odd or even length, timestamps (valid ones
   * unless told otherwise), the given TP-ST, and optional TP-PI/PID/DCS/UDL/UD.
   */
  static byte[] gsmReport(Random r, int tpSt, boolean validTimes) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (r.nextInt(4) == 0) {
      b.write(0); // no SMSC address
    } else {
      byte[] smsc = bcd(digits(r, 1 + r.nextInt(12)));
      b.write(1 + smsc.length);
      b.write(0x91);
      b.write(smsc, 0, smsc.length);
    }
    int trailing = r.nextInt(6);
    // MTI 10 (status report), TP-MMS, TP-LP, TP-SRQ at random; TP-UDHI when the user data
    // starts with a header (trailing shape 3).
    b.write(0x02 | (r.nextBoolean() ? 0x04 : 0) | (r.nextBoolean() ? 0x08 : 0)
        | (r.nextBoolean() ? 0x20 : 0) | (trailing == 3 ? 0x40 : 0));
    b.write(r.nextInt(256)); // TP-MR
    switch (r.nextInt(4)) {
      case 0: { // alphanumeric: the length counts semi-octets of the packed septets
        int semiOctets = ((1 + r.nextInt(11)) * 7 + 3) / 4;
        b.write(semiOctets);
        b.write(0xD0);
        for (int k = 0; k < (semiOctets + 1) / 2; k++) b.write(r.nextInt(256));
        break;
      }
      case 1: { // empty address
        b.write(0);
        b.write(0x81);
        break;
      }
      default: { // international or national digits, odd and even lengths
        String d = digits(r, 1 + r.nextInt(20));
        b.write(d.length());
        b.write(r.nextBoolean() ? 0x91 : 0xA1);
        byte[] packed = bcd(d);
        b.write(packed, 0, packed.length);
      }
    }
    writeTime(b, r, validTimes); // TP-SCTS
    writeTime(b, r, validTimes); // TP-DT
    b.write(tpSt);
    switch (trailing) {
      case 0: { // TP-PI with PID, DCS (8-bit) and user data
        b.write(0x07);
        b.write(0x00); // TP-PID
        b.write(0x04); // TP-DCS: 8-bit data
        int udl = r.nextInt(20);
        b.write(udl);
        for (int k = 0; k < udl; k++) b.write(r.nextInt(256));
        break;
      }
      case 1: { // TP-PI with 7-bit user data
        b.write(0x06);
        b.write(0x00); // TP-DCS: GSM 7-bit
        int udl = r.nextInt(20);
        b.write(udl);
        for (int k = 0; k < (udl * 7 + 7) / 8; k++) b.write(r.nextInt(128));
        break;
      }
      case 2: { // TP-PI with only TP-PID
        b.write(0x01);
        b.write(r.nextInt(64));
        break;
      }
      case 3: { // TP-PI, 8-bit user data led by a concatenation header (TP-UDHI set)
        b.write(0x06);
        b.write(0x04);
        int text = r.nextInt(10);
        b.write(6 + text); // UDL: header (UDHL and 5 octets) and the text
        b.write(5);
        b.write(0x00); // IEI: concatenated message, 8-bit reference
        b.write(3);
        b.write(r.nextInt(256));
        b.write(2);
        b.write(1 + r.nextInt(2));
        for (int k = 0; k < text; k++) b.write(r.nextInt(256));
        break;
      }
      default: // no TP-PI: the report ends at TP-ST
    }
    return b.toByteArray();
  }

  /** A 3GPP2 delivery ack made by the framework: BearerData.encode, then cdma.SmsMessage's PDU. */
  static byte[] cdmaAck(Random r, boolean statusSet, int errorClass, int status) {
    BearerData bd = new BearerData();
    bd.messageType = BearerData.MESSAGE_TYPE_DELIVERY_ACK;
    bd.messageId = r.nextInt(65536);
    if (r.nextBoolean()) { // some acks carry text ("delivered to ..."); others fields too
      UserData ud = new UserData();
      ud.msgEncoding = r.nextBoolean() ? UserData.ENCODING_7BIT_ASCII : UserData.ENCODING_UNICODE_16;
      ud.msgEncodingSet = true;
      ud.payloadStr = "Delivered " + digits(r, r.nextInt(30));
      bd.userData = ud;
    }
    if (r.nextBoolean()) {
      bd.priorityIndicatorSet = true;
      bd.priority = r.nextInt(4);
    }
    if (r.nextBoolean()) {
      bd.languageIndicatorSet = true;
      bd.language = r.nextInt(8);
    }
    if (r.nextBoolean()) {
      bd.callbackNumber = CdmaSmsAddress.parse(digits(r, 4 + r.nextInt(10)));
    }
    if (r.nextInt(4) == 0) {
      bd.privacyIndicatorSet = true;
      bd.privacy = r.nextInt(4);
    }
    if (r.nextInt(4) == 0) {
      bd.alertIndicatorSet = true;
      bd.alert = r.nextInt(4);
    }
    if (r.nextInt(4) == 0) {
      bd.displayModeSet = true;
      bd.displayMode = r.nextInt(3);
    }
    if (r.nextInt(4) == 0) {
      bd.validityPeriodRelativeSet = true;
      bd.validityPeriodRelative = r.nextInt(256);
    }
    if (r.nextInt(4) == 0) {
      bd.numberOfMessages = 1 + r.nextInt(99);
    }
    if (r.nextInt(4) == 0) { // a reply option subparameter
      bd.userAckReq = r.nextBoolean();
      bd.readAckReq = r.nextBoolean();
      bd.deliveryAckReq = true;
    }
    bd.messageStatusSet = statusSet;
    bd.errorClass = errorClass;
    bd.messageStatus = status;
    SmsEnvelope env = new SmsEnvelope();
    env.messageType = SmsEnvelope.MESSAGE_TYPE_POINT_TO_POINT;
    env.teleService = r.nextBoolean() ? SmsEnvelope.TELESERVICE_WMT : SmsEnvelope.TELESERVICE_WEMT;
    env.serviceCategory = 0;
    env.bearerReply = r.nextInt(64);
    env.replySeqNo = (byte) r.nextInt(64);
    env.errorClass = (byte) r.nextInt(4);
    env.causeCode = (byte) r.nextInt(256);
    env.bearerData = BearerData.encode(bd);
    String number = (r.nextBoolean() ? "+" : "") + digits(r, 3 + r.nextInt(15));
    CdmaSmsAddress address = CdmaSmsAddress.parse(number);
    env.origAddress = address;
    com.android.internal.telephony.cdma.SmsMessage m =
        new com.android.internal.telephony.cdma.SmsMessage(address, env);
    return m.getPdu();
  }

  private static void writeTime(ByteArrayOutputStream b, Random r, boolean valid) {
    if (!valid) { // semi-octets that are no date (month 0x99 and the like)
      for (int k = 0; k < 7; k++) b.write(r.nextInt(256));
      return;
    }
    int[] fields = {
      r.nextInt(100), 1 + r.nextInt(12), 1 + r.nextInt(28), r.nextInt(24), r.nextInt(60),
      r.nextInt(60), r.nextInt(48)
    };
    for (int k = 0; k < 7; k++) {
      int v = fields[k];
      int octet = ((v % 10) << 4) | (v / 10); // swapped semi-octets
      if (k == 6 && r.nextBoolean()) octet |= 0x08; // negative time zone
      b.write(octet);
    }
  }

  private static String digits(Random r, int n) {
    StringBuilder s = new StringBuilder();
    for (int k = 0; k < n; k++) s.append((char) ('0' + r.nextInt(10)));
    return s.toString();
  }

  /** Digits as swapped semi-octets, an odd count padded with F. */
  private static byte[] bcd(String d) {
    byte[] out = new byte[(d.length() + 1) / 2];
    for (int k = 0; k < d.length(); k++) {
      int v = d.charAt(k) - '0';
      out[k / 2] |= (byte) (k % 2 == 0 ? v : v << 4);
    }
    if (d.length() % 2 == 1) out[out.length - 1] |= (byte) 0xF0;
    return out;
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) s.append(String.format("%02x", x & 0xff));
    return s.toString();
  }
}
