package android.app;

import android.content.Context;
import android.content.Intent;
import java.util.Objects;
import ringback.doubles.World;

/**
 * Double of {@code android.app.PendingIntent} (API 1). Like Android, {@link #getBroadcast}
 * hands back the EXISTING PendingIntent (with its old extras) when one with the same request
 * code and an equal intent (action and package; extras do not count) is still live, so request
 * codes that collide lose reports, and, like Android 12 (API 31), it refuses flags without
 * {@link #FLAG_IMMUTABLE} or {@link #FLAG_MUTABLE}.
 */
public final class PendingIntent {
    /** API 1. */
    public static final int FLAG_ONE_SHOT = 1 << 30;
    /** API 1. */
    public static final int FLAG_NO_CREATE = 1 << 29;
    /** API 1. */
    public static final int FLAG_CANCEL_CURRENT = 1 << 28;
    /** API 1. */
    public static final int FLAG_UPDATE_CURRENT = 1 << 27;
    /** API 23. */
    public static final int FLAG_IMMUTABLE = 1 << 26;
    /** API 31. */
    public static final int FLAG_MUTABLE = 1 << 25;

    private PendingIntent() {}

    /** API 1. */
    public static PendingIntent getBroadcast(Context context, int requestCode, Intent intent, int flags) {
        World.maybeThrow("getBroadcast");
        Objects.requireNonNull(context, "context");
        if ((flags & (FLAG_IMMUTABLE | FLAG_MUTABLE)) == 0) {
            throw new IllegalArgumentException(
                    "Targeting S+ (version 31 and above) requires that one of FLAG_IMMUTABLE or FLAG_MUTABLE be specified when creating a PendingIntent.");
        }
        String key = intent.getAction() + "|" + intent.getPackage() + "|" + requestCode;
        return World.pendingIntent(key, flags, PendingIntent::new);
    }
}
