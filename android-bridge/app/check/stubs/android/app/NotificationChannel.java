package android.app;

import androidx.annotation.Nullable;

/** Stub (API 26). */
public final class NotificationChannel {
    public NotificationChannel(String id, CharSequence name, int importance) { throw new RuntimeException("stub"); }

    @Nullable public String getDescription() { throw new RuntimeException("stub"); }
    public void setDescription(@Nullable String description) { throw new RuntimeException("stub"); }
}
