package android.os;

import androidx.annotation.NonNull;

/** Stub of android.os.Handler (API 1). */
public class Handler {
    public Handler(@NonNull Looper looper) { throw new RuntimeException("stub"); }
    public final boolean post(@NonNull Runnable r) { throw new RuntimeException("stub"); }
    public final boolean postDelayed(@NonNull Runnable r, long delayMillis) { throw new RuntimeException("stub"); }
    public final void removeCallbacks(@NonNull Runnable r) { throw new RuntimeException("stub"); }
}
