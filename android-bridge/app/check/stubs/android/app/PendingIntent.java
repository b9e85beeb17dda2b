package android.app;

import android.content.Context;
import android.content.Intent;
import androidx.annotation.NonNull;

/** Stub of android.app.PendingIntent. */
public final class PendingIntent {
    /** API 23. */
    public static final int FLAG_IMMUTABLE = 1 << 26;

    /** API 1. */
    public static PendingIntent getActivity(Context context, int requestCode, @NonNull Intent intent, int flags) { throw new RuntimeException("stub"); }
}
