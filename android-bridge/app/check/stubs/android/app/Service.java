package android.app;

import android.content.ContextWrapper;
import android.content.Intent;
import android.os.IBinder;
import androidx.annotation.Nullable;

/** Stub of android.app.Service: the members the app uses. */
public abstract class Service extends ContextWrapper {
    /** API 5. */
    public static final int START_STICKY = 1;
    /** API 5. */
    public static final int START_NOT_STICKY = 2;

    public Service() { super(null); throw new RuntimeException("stub"); }

    @Nullable
    public abstract IBinder onBind(Intent intent);
    /** API 5. */
    public int onStartCommand(@Nullable Intent intent, int flags, int startId) { throw new RuntimeException("stub"); }
    public void onDestroy() { throw new RuntimeException("stub"); }

    public final void stopSelf() { throw new RuntimeException("stub"); }
    /** API 5. */
    public final void startForeground(int id, Notification notification) { throw new RuntimeException("stub"); }
    /** API 29. */
    public final void startForeground(int id, @androidx.annotation.NonNull Notification notification, int foregroundServiceType) { throw new RuntimeException("stub"); }
}
