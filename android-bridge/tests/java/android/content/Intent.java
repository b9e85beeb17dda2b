package android.content;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Double of {@code android.content.Intent} (API 1): an action, a package and extras (a map
 * here, a Bundle on Android).
 */
public class Intent {
    private String action;
    private String packageName;
    private final Map<String, Object> extras = new HashMap<>();

    /** API 1. */
    public Intent() {}

    /** API 1. */
    public Intent(String action) {
        this.action = action;
    }

    /** API 1. */
    public String getAction() {
        return action;
    }

    /** API 1. */
    public Intent setAction(String action) {
        this.action = action;
        return this;
    }

    /** API 4. */
    public String getPackage() {
        return packageName;
    }

    /** API 4. */
    public Intent setPackage(String packageName) {
        this.packageName = packageName;
        return this;
    }

    /** API 1. */
    public Intent putExtra(String name, long value) {
        extras.put(name, value);
        return this;
    }

    /** API 1. */
    public Intent putExtra(String name, int value) {
        extras.put(name, value);
        return this;
    }

    /** API 1. */
    public Intent putExtra(String name, String value) {
        extras.put(name, value);
        return this;
    }

    /** API 1. */
    public Intent putExtra(String name, byte[] value) {
        extras.put(name, value);
        return this;
    }

    /** API 1. */
    public boolean hasExtra(String name) {
        return extras.containsKey(name);
    }

    /** API 1. Like Android: the default unless the extra is a long. */
    public long getLongExtra(String name, long defaultValue) {
        Object value = extras.get(name);
        return value instanceof Long ? (Long) value : defaultValue;
    }

    /** API 1. Like Android: the default unless the extra is an int. */
    public int getIntExtra(String name, int defaultValue) {
        Object value = extras.get(name);
        return value instanceof Integer ? (Integer) value : defaultValue;
    }

    /** API 1. */
    public String getStringExtra(String name) {
        Object value = extras.get(name);
        return value instanceof String ? (String) value : null;
    }

    /** API 1. */
    public byte[] getByteArrayExtra(String name) {
        Object value = extras.get(name);
        return value instanceof byte[] ? (byte[]) value : null;
    }

    /** Not Android API: a copy of the extras, sorted by name, for the tests. */
    public Map<String, Object> extrasForTest() {
        return new TreeMap<>(extras);
    }
}
