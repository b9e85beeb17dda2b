package android.content;

import androidx.annotation.Nullable;

/** Stub (API 1; Editor.apply API 9). */
public interface SharedPreferences {
    boolean getBoolean(String key, boolean defValue);
    @Nullable String getString(String key, @Nullable String defValue);
    Editor edit();

    interface Editor {
        Editor putBoolean(String key, boolean value);
        Editor putString(String key, @Nullable String value);
        void apply();
    }
}
