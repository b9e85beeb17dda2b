package android.content;

/** Stub of android.content.BroadcastReceiver (API 1; goAsync API 11). */
public abstract class BroadcastReceiver {
    public BroadcastReceiver() { throw new RuntimeException("stub"); }

    public abstract void onReceive(Context context, Intent intent);

    public final PendingResult goAsync() { throw new RuntimeException("stub"); }
    public final int getResultCode() { throw new RuntimeException("stub"); }
    public final void setResultCode(int code) { throw new RuntimeException("stub"); }

    public static class PendingResult {
        public final void finish() { throw new RuntimeException("stub"); }
    }
}
