package android.app;

import androidx.annotation.NonNull;

/** Stub of android.app.NotificationManager. */
public class NotificationManager {
    /** API 24. */
    public static final int IMPORTANCE_LOW = 2;

    /** API 26. */
    public void createNotificationChannel(@NonNull NotificationChannel channel) { throw new RuntimeException("stub"); }

    /** API 1. */
    public void notify(int id, Notification notification) { throw new RuntimeException("stub"); }
}
