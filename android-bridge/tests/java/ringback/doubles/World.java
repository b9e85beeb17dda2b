package ringback.doubles;

import android.app.PendingIntent;
import android.database.Cursor;
import android.database.MatrixCursor;
import android.net.Uri;
import android.telephony.SubscriptionInfo;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Only what android-bridge/tests/jvm.rs and jvm/mms.rs need: the framework's own classes
 * run under Robolectric (android-bridge/robolectric) for everything else. Set up with
 * {@link #addCall}, {@link #addContact}, {@link #addSubscription}; make the next call of a
 * framework method throw with {@link #throwOnNext}; read what happened with
 * {@link #sendsJson()}, {@link #mmsSendsJson()} and {@link #openCursors()}.
 *
 * <p>The providers (any other authority answers null, as with no provider installed):
 * <ul>
 *   <li>{@code content://call_log/calls}: columns {@link #CALL_COLUMNS};
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

    private static final String[] CONTACT_COLUMNS = {"_id", "display_name", "number"};
    private static final String CALLS_URI = "content://call_log/calls";
    private static final String LOOKUP_PREFIX = "content://com.android.contacts/phone_lookup/";

    private static final List<Object[]> calls = new ArrayList<>();
    private static final Map<String, String> contacts = new LinkedHashMap<>();
    private static final List<SubscriptionInfo> subscriptions = new ArrayList<>();
    private static final Set<String> removedAuthorities = new HashSet<>();
    private static final Map<String, RuntimeException> throwOnNext = new HashMap<>();
    private static final List<Map<String, Object>> sends = new ArrayList<>();
    private static final List<Cursor> cursors = new ArrayList<>();
    private static final Map<String, PendingIntent> pendingIntents = new HashMap<>();
    private static final List<Map<String, Object>> mmsSends = new ArrayList<>();
    private static java.io.File cacheDir;

    private World() {}

    /** Forgets everything: rows, contacts, SIMs, switches, sends, PendingIntents. */
    public static synchronized void reset() {
        calls.clear();
        contacts.clear();
        subscriptions.clear();
        removedAuthorities.clear();
        throwOnNext.clear();
        sends.clear();
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

    /** A contact with one number, written any way ("+44 20 7946 0958"). */
    public static synchronized void addContact(String number, String displayName) {
        contacts.put(number, displayName);
    }

    /** An active SIM. */
    public static synchronized void addSubscription(
            int subscriptionId, int simSlotIndex, String displayName, String iccId) {
        subscriptions.add(new SubscriptionInfo(subscriptionId, simSlotIndex, displayName, iccId));
    }

    /** Queries on this authority ("call_log", "mms", "com.android.contacts") return null. */
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

    /** The sendMultipartTextMessage calls as JSON: [{"subscriptionId", "destination", "parts": [..]}]. */
    public static synchronized String sendsJson() {
        return json(sends);
    }

    /**
     * The sendMultimediaMessage calls as JSON: [{"subscriptionId", "contentUri",
     * "locationUrl", "configOverrides" (whether a Bundle was given)}].
     */
    public static synchronized String mmsSendsJson() {
        return json(mmsSends);
    }

    /** Called by SmsManager.sendMultimediaMessage. */
    public static synchronized void recordMmsSend(int subscriptionId, String contentUri, String locationUrl,
            boolean configOverrides) {
        Map<String, Object> send = new LinkedHashMap<>();
        send.put("subscriptionId", subscriptionId);
        send.put("contentUri", contentUri);
        send.put("locationUrl", locationUrl);
        send.put("configOverrides", configOverrides);
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
        maybeThrow("query");
        String authority = text.replaceFirst("^content://", "").replaceFirst("/.*$", "");
        if (removedAuthorities.contains(authority)) {
            return null;
        }
        MatrixCursor cursor;
        if (text.equals(CALLS_URI)) {
            cursor = table(calls, CALL_COLUMNS, projection, selection, selectionArgs, sortOrder);
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
    public static synchronized void recordSend(int subscriptionId, String destination, List<String> parts) {
        Map<String, Object> send = new LinkedHashMap<>();
        send.put("subscriptionId", subscriptionId);
        send.put("destination", destination);
        send.put("parts", new ArrayList<>(parts));
        sends.add(send);
    }

    /** Called by SubscriptionManager.getActiveSubscriptionInfoList: by slot, like Android. */
    public static synchronized List<SubscriptionInfo> activeSubscriptions() {
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
