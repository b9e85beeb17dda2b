package android.content;

import androidx.annotation.NonNull;

/** Stub (API 1). */
public final class ComponentName {
    public ComponentName(@NonNull String pkg, @NonNull String cls) { throw new RuntimeException("stub"); }
}
