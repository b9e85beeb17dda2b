package android.content;

import java.util.HashMap;
import java.util.Map;

/**
 * Double of {@code android.content.Intent} (API 1): an action, a package and extras (a map
 * here, a Bundle on Android); only what the Rust side calls to build the report intents.
 */
public class Intent {
    private final String action;
    private String packageName;
    private final Map<String, Object> extras = new HashMap<>();

    /** API 1. */
    public Intent(String action) {
        this.action = action;
    }

    /** API 1. */
    public String getAction() {
        return action;
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
}
