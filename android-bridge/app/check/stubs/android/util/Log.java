package android.util;

/** Stub of android.util.Log (API 1). */
public final class Log {
    public static int i(String tag, String msg) { throw new RuntimeException("stub"); }
    public static int w(String tag, String msg, Throwable tr) { throw new RuntimeException("stub"); }
    public static int e(String tag, String msg, Throwable tr) { throw new RuntimeException("stub"); }
}
