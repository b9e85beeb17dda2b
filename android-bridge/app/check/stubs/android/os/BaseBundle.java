package android.os;

import androidx.annotation.Nullable;

/** Stub (API 21; getBoolean/putBoolean moved here in API 22). */
public class BaseBundle {
    public int getInt(@Nullable String key, int defaultValue) { throw new RuntimeException("stub"); }
    public void putInt(@Nullable String key, int value) { throw new RuntimeException("stub"); }
    public boolean getBoolean(@Nullable String key, boolean defaultValue) { throw new RuntimeException("stub"); }
    public void putBoolean(@Nullable String key, boolean value) { throw new RuntimeException("stub"); }
}
