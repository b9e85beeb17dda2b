package ringback.doubles;

import android.app.PendingIntent;
import android.content.Intent;
import android.database.Cursor;
import android.database.MatrixCursor;
import android.net.Uri;
import android.telephony.SubscriptionInfo;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The phone the Android doubles answer from: static, shared by every thread, reset between
 * tests with {@link #reset()}.
 *
 * <p>Set up with {@link #addCall}, {@link #addSms}, {@link #addContact}, {@link #addSubscription};
 * make the next call of a framework method throw with {@link #throwOnNext}; read what happened
 * with {@link #sends()} (or {@link #sendsJson()}), {@link #queries()} (or {@link #queriesJson()})
 * and {@link #openCursors()}.
 *
 * <p>The providers:
 * <ul>
 *   <li>{@code content://call_log/calls}: columns {@link #CALL_COLUMNS};
 *   <li>{@code content://sms}: columns {@link #SMS_COLUMNS};
 *   <li>{@code content://mms} (and {@code content://mms/ID}, one message): columns
 *       {@link #MMS_COLUMNS}; {@code content://mms/ID/addr}: {@link #MMS_ADDR_COLUMNS};
 *       {@code content://mms/ID/part}: {@link #MMS_PART_COLUMNS}; a part's bytes through
 *       {@code ContentResolver.openInputStream(content://mms/part/PART_ID)};
 *   <li>{@code content://com.android.contacts/phone_lookup/<encoded number>}: columns
 *       {@code _id, display_name, number}; a contact matches when the last 7 digits agree
 *       (Android's loose "min match"), or all digits when either has fewer.
 * </ul>
 * A projection column a table does not have throws IllegalArgumentException ("Invalid column",
 * like Android); the only selection understood is {@code _id > ?} (anything else throws, so a
 * test notices), and the only sort orders {@code _id ASC} and {@code _id DESC}.
 */
public final class World {
    /** The subscription id recorded for sends through {@code SmsManager.getDefault()}. */
    public static final int DEFAULT_SUBSCRIPTION = Integer.MAX_VALUE;

    /** The call log's columns (CallLog.Calls: _ID, NUMBER, TYPE, DATE, DURATION, PHONE_ACCOUNT_ID). */
    public static final String[] CALL_COLUMNS = {"_id", "number", "type", "date", "duration", "subscription_id"};

    /** The SMS provider's columns (Telephony.Sms: _ID, ADDRESS, BODY, TYPE, DATE, DATE_SENT, SUBSCRIPTION_ID). */
    public static final String[] SMS_COLUMNS = {"_id", "address", "body", "type", "date", "date_sent", "sub_id"};

    /** The MMS provider's columns (Telephony.BaseMmsColumns: _ID, MESSAGE_BOX, MESSAGE_TYPE, DATE in seconds, SUBSCRIPTION_ID, CONTENT_LOCATION, TRANSACTION_ID, MESSAGE_SIZE). */
    public static final String[] MMS_COLUMNS = {"_id", "msg_box", "m_type", "date", "sub_id", "ct_l", "tr_id", "m_size"};

    /** An MMS's addresses (Telephony.Mms.Addr: _ID, MSG_ID, ADDRESS, TYPE, CHARSET). */
    public static final String[] MMS_ADDR_COLUMNS = {"_id", "msg_id", "address", "type", "charset"};

    /** An MMS's parts (Telephony.Mms.Part: _ID, MSG_ID, SEQ, CONTENT_TYPE, NAME, CHARSET, CONTENT_LOCATION, FILENAME, TEXT, _DATA). */
    public static final String[] MMS_PART_COLUMNS = {"_id", "mid", "seq", "ct", "name", "chset", "cl", "fn", "text", "_data"};

    private static final String[] CONTACT_COLUMNS = {"_id", "display_name", "number"};
    private static final String CALLS_URI = "content://call_log/calls";
    private static final String SMS_URI = "content://sms";
    private static final String MMS_URI = "content://mms";
    private static final String MMS_PART_PREFIX = "content://mms/part/";
    private static final String LOOKUP_PREFIX = "content://com.android.contacts/phone_lookup/";

    private static final List<Object[]> calls = new ArrayList<>();
    private static final List<Object[]> sms = new ArrayList<>();
    private static final List<Object[]> mms = new ArrayList<>();
    private static final List<Object[]> mmsAddresses = new ArrayList<>();
    private static final List<Object[]> mmsParts = new ArrayList<>();
    private static final Map<Long, byte[]> mmsPartBytes = new HashMap<>();
    private static final List<InputStream> streams = new ArrayList<>();
    private static final Set<InputStream> closedStreams = new HashSet<>();
    private static final Map<String, String> contacts = new LinkedHashMap<>();
    private static final List<SubscriptionInfo> subscriptions = new ArrayList<>();
    private static boolean subscriptionListNull;
    private static final Set<String> removedAuthorities = new HashSet<>();
    private static final Map<String, RuntimeException> throwOnNext = new HashMap<>();
    private static final List<SentText> sends = new ArrayList<>();
    private static final List<Query> queries = new ArrayList<>();
    private static final List<Cursor> cursors = new ArrayList<>();
    private static final Map<String, PendingIntent> pendingIntents = new HashMap<>();
    private static final List<Map<String, Object>> mmsSends = new ArrayList<>();
    private static java.io.File cacheDir;

    private World() {}

    /** Forgets everything: rows, contacts, SIMs, switches, sends, queries, PendingIntents. */
    public static synchronized void reset() {
        calls.clear();
        sms.clear();
        mms.clear();
        mmsAddresses.clear();
        mmsParts.clear();
        mmsPartBytes.clear();
        streams.clear();
        closedStreams.clear();
        contacts.clear();
        subscriptions.clear();
        subscriptionListNull = false;
        removedAuthorities.clear();
        throwOnNext.clear();
        sends.clear();
        queries.clear();
        cursors.clear();
        pendingIntents.clear();
        mmsSends.clear();
    }

    // ---- set-up ------------------------------------------------------------------------

    /**
     * A call-log row. {@code type} is CallLog.Calls.TYPE (1 incoming .. 7 answered externally);
     * {@code number} and {@code phoneAccountId} may be null.
     */
    public static synchronized void addCall(
            long id, String number, int type, long dateMillis, long durationSeconds, String phoneAccountId) {
        calls.add(new Object[] {id, number, type, dateMillis, durationSeconds, phoneAccountId});
    }

    /** A call-log row with raw values (any type per column), e.g. a date that is not a number. */
    public static synchronized void addRawCall(Object[] values) {
        calls.add(values.clone());
    }

    /**
     * An SMS-provider row. {@code type} is Telephony.Sms.TYPE (1 inbox, 2 sent, ...);
     * {@code subId} may be null.
     */
    public static synchronized void addSms(
            long id, String address, String body, int type, long dateMillis, long dateSentMillis, Integer subId) {
        sms.add(new Object[] {id, address, body, type, dateMillis, dateSentMillis, subId});
    }

    /**
     * An MMS-provider row. {@code msgBox} is Telephony.BaseMmsColumns.MESSAGE_BOX (1 inbox,
     * 2 sent); {@code messageType} is MESSAGE_TYPE (130 notification, 132 retrieved, 128
     * sent); {@code dateSeconds} is DATE, in seconds as the provider keeps it; {@code subId},
     * {@code contentLocation} and {@code transactionId} may be null.
     */
    public static synchronized void addMms(long id, int msgBox, int messageType, long dateSeconds,
            Integer subId, String contentLocation, String transactionId, long size) {
        mms.add(new Object[] {id, msgBox, messageType, dateSeconds, subId, contentLocation, transactionId, size});
    }

    /** Removes an MMS row, its addresses and parts (the default app deletes a notification once it has the message). */
    public static synchronized void removeMms(long id) {
        mms.removeIf(row -> ((Number) row[0]).longValue() == id);
        mmsAddresses.removeIf(row -> ((Number) row[1]).longValue() == id);
        mmsParts.removeIf(row -> ((Number) row[1]).longValue() == id);
    }

    /** An address of an MMS; {@code type} is PduHeaders' (137 from, 151 to, 130 cc, 129 bcc). */
    public static synchronized void addMmsAddress(long messageId, String address, int type) {
        mmsAddresses.add(new Object[] {(long) mmsAddresses.size() + 1, messageId, address, type, 106});
    }

    /**
     * A part of an MMS: a text part has {@code text} (and no bytes), an attachment
     * {@code data} (read through openInputStream); {@code name}, {@code charset},
     * {@code contentLocation} may be null.
     */
    public static synchronized void addMmsPart(long messageId, long partId, String contentType, String name,
            Integer charset, String contentLocation, String text, byte[] data) {
        mmsParts.add(new Object[] {partId, messageId, mmsParts.size(), contentType, name, charset,
                contentLocation, null, text, data == null ? null : "/data/mms/PART_" + partId});
        if (data != null) {
            mmsPartBytes.put(partId, data.clone());
        }
    }

    /** Streams opened by openInputStream and not closed yet. */
    public static synchronized int openStreams() {
        int open = 0;
        for (InputStream stream : streams) {
            if (!closedStreams.contains(stream)) {
                open++;
            }
        }
        return open;
    }

    /** A contact with one number, written any way ("+44 20 7946 0958"). */
    public static synchronized void addContact(String number, String displayName) {
        contacts.put(number, displayName);
    }

    /** An active SIM. */
    public static synchronized void addSubscription(
            int subscriptionId, int simSlotIndex, String displayName, String iccId) {
        subscriptions.add(new SubscriptionInfo(subscriptionId, simSlotIndex, displayName, iccId));
    }

    /** Makes getActiveSubscriptionInfoList return null (no SIM, before API 30). */
    public static synchronized void setSubscriptionListNull(boolean value) {
        subscriptionListNull = value;
    }

    /** Queries on this authority ("call_log", "sms", "com.android.contacts") return null. */
    public static synchronized void removeProvider(String authority) {
        removedAuthorities.add(authority);
    }

    /**
     * The next call of {@code operation} throws {@code exception}, once. Operations:
     * "query", "getDefault", "getSmsManagerForSubscriptionId", "divideMessage",
     * "sendMultipartTextMessage", "getBroadcast", "getActiveSubscriptionInfoList".
     */
    public static synchronized void throwOnNext(String operation, RuntimeException exception) {
        throwOnNext.put(operation, exception);
    }

    // ---- what happened -----------------------------------------------------------------

    /** One sendMultipartTextMessage call. */
    public static final class SentText {
        public final int subscriptionId;
        public final String destination;
        public final String scAddress;
        public final List<String> parts;
        public final List<Broadcast> sentIntents;
        public final List<Broadcast> deliveryIntents;

        SentText(int subscriptionId, String destination, String scAddress, List<String> parts,
                List<Broadcast> sentIntents, List<Broadcast> deliveryIntents) {
            this.subscriptionId = subscriptionId;
            this.destination = destination;
            this.scAddress = scAddress;
            this.parts = parts;
            this.sentIntents = sentIntents;
            this.deliveryIntents = deliveryIntents;
        }
    }

    /** A broadcast PendingIntent as handed to SmsManager. */
    public static final class Broadcast {
        public final int requestCode;
        public final int flags;
        public final String action;
        public final String packageName;
        /** Sorted by name: message_id (Long), part and parts (Integer). */
        public final Map<String, Object> extras;
        /** The PendingIntent itself (to fire it in a Kotlin test). */
        public final PendingIntent pendingIntent;

        Broadcast(PendingIntent pendingIntent) {
            Intent intent = pendingIntent.intentForTest();
            this.requestCode = pendingIntent.requestCodeForTest();
            this.flags = pendingIntent.flagsForTest();
            this.action = intent.getAction();
            this.packageName = intent.getPackage();
            this.extras = intent.extrasForTest();
            this.pendingIntent = pendingIntent;
        }
    }

    /** One ContentResolver.query call. */
    public static final class Query {
        public final String uri;
        public final List<String> projection;
        public final String selection;
        public final List<String> selectionArgs;
        public final String sortOrder;

        Query(String uri, String[] projection, String selection, String[] selectionArgs, String sortOrder) {
            this.uri = uri;
            this.projection = projection == null ? null : Arrays.asList(projection.clone());
            this.selection = selection;
            this.selectionArgs = selectionArgs == null ? null : Arrays.asList(selectionArgs.clone());
            this.sortOrder = sortOrder;
        }
    }

    /** The texts sent, oldest first. */
    public static synchronized List<SentText> sends() {
        return new ArrayList<>(sends);
    }

    /** The queries made, oldest first. */
    public static synchronized List<Query> queries() {
        return new ArrayList<>(queries);
    }

    /** Cursors handed out by queries and not closed yet. */
    public static synchronized int openCursors() {
        int open = 0;
        for (Cursor cursor : cursors) {
            if (!cursor.isClosed()) {
                open++;
            }
        }
        return open;
    }

    /**
     * {@link #sends()} as JSON: [{"subscriptionId", "destination", "scAddress", "parts": [..],
     * "sent": [broadcast..], "delivered": [broadcast..]}], a broadcast being {"requestCode",
     * "flags", "action", "package", "extras": {..}}.
     */
    public static synchronized String sendsJson() {
        List<Object> out = new ArrayList<>();
        for (SentText sent : sends) {
            Map<String, Object> text = new LinkedHashMap<>();
            text.put("subscriptionId", sent.subscriptionId);
            text.put("destination", sent.destination);
            text.put("scAddress", sent.scAddress);
            text.put("parts", sent.parts);
            text.put("sent", broadcastsJson(sent.sentIntents));
            text.put("delivered", broadcastsJson(sent.deliveryIntents));
            out.add(text);
        }
        return json(out);
    }

    /**
     * The sendMultimediaMessage calls as JSON: [{"subscriptionId", "contentUri",
     * "locationUrl", "configOverrides" (whether a Bundle was given), "sent": broadcast}].
     */
    public static synchronized String mmsSendsJson() {
        return json(mmsSends);
    }

    /** Called by SmsManager.sendMultimediaMessage. */
    public static synchronized void recordMmsSend(int subscriptionId, String contentUri, String locationUrl,
            boolean configOverrides, PendingIntent sentIntent) {
        Map<String, Object> send = new LinkedHashMap<>();
        send.put("subscriptionId", subscriptionId);
        send.put("contentUri", contentUri);
        send.put("locationUrl", locationUrl);
        send.put("configOverrides", configOverrides);
        send.put("sent", broadcastsJson(broadcasts(Collections.singletonList(sentIntent))).get(0));
        mmsSends.add(send);
    }

    /** The test context's cache folder: one per JVM, under java.io.tmpdir. */
    public static synchronized java.io.File cacheDir() {
        if (cacheDir == null) {
            try {
                cacheDir = java.nio.file.Files.createTempDirectory("ringback-cache").toFile();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return cacheDir;
    }

    /** {@link #queries()} as JSON: [{"uri", "projection", "selection", "selectionArgs", "sortOrder"}]. */
    public static synchronized String queriesJson() {
        List<Object> out = new ArrayList<>();
        for (Query query : queries) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("uri", query.uri);
            q.put("projection", query.projection);
            q.put("selection", query.selection);
            q.put("selectionArgs", query.selectionArgs);
            q.put("sortOrder", query.sortOrder);
            out.add(q);
        }
        return json(out);
    }

    // ---- called by the doubles ---------------------------------------------------------

    /** Called by the doubles: throws the exception set by {@link #throwOnNext}, once. */
    public static void maybeThrow(String operation) {
        RuntimeException exception;
        synchronized (World.class) {
            exception = throwOnNext.remove(operation);
        }
        if (exception != null) {
            throw exception;
        }
    }

    /** Called by ContentResolver.query. */
    public static synchronized Cursor query(
            Uri uri, String[] projection, String selection, String[] selectionArgs, String sortOrder) {
        String text = uri.toString();
        queries.add(new Query(text, projection, selection, selectionArgs, sortOrder));
        maybeThrow("query");
        String authority = text.replaceFirst("^content://", "").replaceFirst("/.*$", "");
        if (removedAuthorities.contains(authority)) {
            return null;
        }
        MatrixCursor cursor;
        if (text.equals(CALLS_URI)) {
            cursor = table(calls, CALL_COLUMNS, projection, selection, selectionArgs, sortOrder);
        } else if (text.equals(SMS_URI)) {
            cursor = table(sms, SMS_COLUMNS, projection, selection, selectionArgs, sortOrder);
        } else if (text.equals(MMS_URI)) {
            cursor = table(mms, MMS_COLUMNS, projection, selection, selectionArgs, sortOrder);
        } else if (text.matches("content://mms/[0-9]+(/addr|/part)?")) {
            String[] path = text.substring(MMS_URI.length() + 1).split("/");
            long id = Long.parseLong(path[0]);
            if (path.length == 1) {
                cursor = table(rowsWith(mms, 0, id), MMS_COLUMNS, projection, selection, selectionArgs, sortOrder);
            } else if (path[1].equals("addr")) {
                cursor = table(rowsWith(mmsAddresses, 1, id), MMS_ADDR_COLUMNS, projection, selection, selectionArgs, sortOrder);
            } else {
                cursor = table(rowsWith(mmsParts, 1, id), MMS_PART_COLUMNS, projection, selection, selectionArgs, sortOrder);
            }
        } else if (text.startsWith(LOOKUP_PREFIX)) {
            String number = Uri.decode(text.substring(LOOKUP_PREFIX.length()));
            List<Object[]> found = new ArrayList<>();
            long id = 1;
            for (Map.Entry<String, String> contact : contacts.entrySet()) {
                if (sameNumber(contact.getKey(), number)) {
                    found.add(new Object[] {id, contact.getValue(), contact.getKey()});
                }
                id++;
            }
            cursor = table(found, CONTACT_COLUMNS, projection, selection, selectionArgs, sortOrder);
        } else {
            return null;
        }
        cursors.add(cursor);
        return cursor;
    }

    /** Called by ContentResolver.openInputStream: an MMS part's bytes, else not found. */
    public static synchronized InputStream openInputStream(Uri uri) throws FileNotFoundException {
        maybeThrow("openInputStream");
        String text = uri.toString();
        byte[] bytes = null;
        if (text.startsWith(MMS_PART_PREFIX)) {
            bytes = mmsPartBytes.get(Long.parseLong(text.substring(MMS_PART_PREFIX.length())));
        }
        if (bytes == null) {
            throw new FileNotFoundException("No entry for content " + text);
        }
        InputStream stream = new ByteArrayInputStream(bytes) {
            @Override
            public void close() {
                synchronized (World.class) {
                    closedStreams.add(this);
                }
            }
        };
        streams.add(stream);
        return stream;
    }

    /** Called by PendingIntent.getBroadcast: Android's matching of live PendingIntents. */
    public static synchronized PendingIntent pendingIntent(String key, int flags, Supplier<PendingIntent> make) {
        PendingIntent existing = pendingIntents.get(key);
        if ((flags & PendingIntent.FLAG_NO_CREATE) != 0) {
            return existing;
        }
        if (existing != null
                && (flags & (PendingIntent.FLAG_CANCEL_CURRENT | PendingIntent.FLAG_UPDATE_CURRENT)) == 0) {
            return existing;
        }
        PendingIntent created = make.get();
        pendingIntents.put(key, created);
        return created;
    }

    /** Called by SmsManager.sendMultipartTextMessage. */
    public static synchronized void recordSend(int subscriptionId, String destination, String scAddress,
            List<String> parts, List<PendingIntent> sentIntents, List<PendingIntent> deliveryIntents) {
        sends.add(new SentText(subscriptionId, destination, scAddress, new ArrayList<>(parts),
                broadcasts(sentIntents), broadcasts(deliveryIntents)));
    }

    /** Called by SubscriptionManager.getActiveSubscriptionInfoList: by slot, like Android. */
    public static synchronized List<SubscriptionInfo> activeSubscriptions() {
        if (subscriptionListNull) {
            return null;
        }
        List<SubscriptionInfo> list = new ArrayList<>(subscriptions);
        list.sort(Comparator.comparingInt(SubscriptionInfo::getSimSlotIndex)
                .thenComparingInt(SubscriptionInfo::getSubscriptionId));
        return list;
    }

    /** Called by SmsManager.divideMessage; see that class for the rule. */
    public static ArrayList<String> divide(String text) {
        ArrayList<String> parts = new ArrayList<>();
        if (isGsm(text)) {
            if (septets(text) <= 160) {
                parts.add(text);
                return parts;
            }
            StringBuilder part = new StringBuilder();
            int used = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                int cost = GSM_EXTENSION.indexOf(c) >= 0 ? 2 : 1;
                if (used + cost > 153) {
                    parts.add(part.toString());
                    part.setLength(0);
                    used = 0;
                }
                part.append(c);
                used += cost;
            }
            parts.add(part.toString());
            return parts;
        }
        if (text.length() <= 70) {
            parts.add(text);
            return parts;
        }
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(start + 67, text.length());
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            parts.add(text.substring(start, end));
            start = end;
        }
        return parts;
    }

    // ---- internals ---------------------------------------------------------------------

    private static final String GSM_EXTENSION = "[]{}\\^~|\u20ac";

    private static boolean isGsm(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean printable = c >= 0x20 && c < 0x7f && c != '`';
            if (!printable && c != '\n' && c != '\r' && c != '\u20ac') {
                return false;
            }
        }
        return true;
    }

    private static int septets(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            n += GSM_EXTENSION.indexOf(text.charAt(i)) >= 0 ? 2 : 1;
        }
        return n;
    }

    private static List<Object[]> rowsWith(List<Object[]> rows, int column, long id) {
        List<Object[]> out = new ArrayList<>();
        for (Object[] row : rows) {
            if (((Number) row[column]).longValue() == id) {
                out.add(row);
            }
        }
        return out;
    }

    private static boolean sameNumber(String a, String b) {
        String da = a.replaceAll("[^0-9]", "");
        String db = b.replaceAll("[^0-9]", "");
        if (da.isEmpty() || db.isEmpty()) {
            return false;
        }
        if (da.length() < 7 || db.length() < 7) {
            return da.equals(db);
        }
        return da.substring(da.length() - 7).equals(db.substring(db.length() - 7));
    }

    private static MatrixCursor table(List<Object[]> rows, String[] columns, String[] projection,
            String selection, String[] selectionArgs, String sortOrder) {
        String[] wanted = projection == null ? columns : projection;
        int[] index = new int[wanted.length];
        List<String> known = Arrays.asList(columns);
        for (int i = 0; i < wanted.length; i++) {
            index[i] = known.indexOf(wanted[i]);
            if (index[i] < 0) {
                throw new IllegalArgumentException("Invalid column " + wanted[i]);
            }
        }
        List<Object[]> selected = new ArrayList<>();
        if (selection == null) {
            selected.addAll(rows);
        } else if (selection.trim().equals("_id > ?") && selectionArgs != null && selectionArgs.length == 1) {
            long after = Long.parseLong(selectionArgs[0]);
            for (Object[] row : rows) {
                if (((Number) row[0]).longValue() > after) {
                    selected.add(row);
                }
            }
        } else {
            throw new IllegalArgumentException("the double understands only the selection `_id > ?`, not: " + selection);
        }
        Comparator<Object[]> byId = Comparator.comparingLong(row -> ((Number) row[0]).longValue());
        if (sortOrder == null) {
            // insertion order
        } else if (sortOrder.trim().equals("_id ASC")) {
            selected.sort(byId);
        } else if (sortOrder.trim().equals("_id DESC")) {
            selected.sort(byId.reversed());
        } else {
            throw new IllegalArgumentException("the double understands only `_id ASC` and `_id DESC`, not: " + sortOrder);
        }
        MatrixCursor cursor = new MatrixCursor(wanted);
        for (Object[] row : selected) {
            Object[] values = new Object[wanted.length];
            for (int i = 0; i < wanted.length; i++) {
                values[i] = row[index[i]];
            }
            cursor.addRow(values);
        }
        return cursor;
    }

    private static List<Broadcast> broadcasts(List<PendingIntent> intents) {
        if (intents == null) {
            return Collections.emptyList();
        }
        List<Broadcast> out = new ArrayList<>();
        for (PendingIntent intent : intents) {
            out.add(intent == null ? null : new Broadcast(intent));
        }
        return out;
    }

    private static List<Object> broadcastsJson(List<Broadcast> broadcasts) {
        List<Object> out = new ArrayList<>();
        for (Broadcast b : broadcasts) {
            if (b == null) {
                out.add(null);
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requestCode", b.requestCode);
            m.put("flags", b.flags);
            m.put("action", b.action);
            m.put("package", b.packageName);
            m.put("extras", b.extras);
            out.add(m);
        }
        return out;
    }

    private static String json(Object value) {
        StringBuilder out = new StringBuilder();
        writeJson(out, value);
        return out.toString();
    }

    private static void writeJson(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeJson(out, String.valueOf(e.getKey()));
                out.append(':');
                writeJson(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof List) {
            out.append('[');
            boolean first = true;
            for (Object item : (List<?>) value) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeJson(out, item);
            }
            out.append(']');
        } else {
            String s = value.toString();
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        }
    }
}
