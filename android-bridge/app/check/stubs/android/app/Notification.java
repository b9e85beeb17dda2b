package android.app;

import android.content.Context;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

/** Stub of android.app.Notification. */
public class Notification {
    public static class Builder {
        /** API 26. */
        public Builder(@NonNull Context context, @NonNull String channelId) { throw new RuntimeException("stub"); }

        @NonNull public Builder setSmallIcon(int icon) { throw new RuntimeException("stub"); }
        @NonNull public Builder setContentTitle(@Nullable CharSequence title) { throw new RuntimeException("stub"); }
        @NonNull public Builder setContentText(@Nullable CharSequence text) { throw new RuntimeException("stub"); }
        @NonNull public Builder setContentIntent(@Nullable PendingIntent intent) { throw new RuntimeException("stub"); }
        @NonNull public Builder setOngoing(boolean ongoing) { throw new RuntimeException("stub"); }
        /** API 17. */
        @NonNull public Builder setShowWhen(boolean show) { throw new RuntimeException("stub"); }
        /** API 16. */
        @NonNull public Builder setStyle(@Nullable Style style) { throw new RuntimeException("stub"); }
        /** API 16. */
        @NonNull public Notification build() { throw new RuntimeException("stub"); }
    }

    /** API 16. */
    public abstract static class Style {
    }

    /** API 16. */
    public static class BigTextStyle extends Style {
        public BigTextStyle() { throw new RuntimeException("stub"); }

        @NonNull public BigTextStyle bigText(@Nullable CharSequence text) { throw new RuntimeException("stub"); }
    }
}
