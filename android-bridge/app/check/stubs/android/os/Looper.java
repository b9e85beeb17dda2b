package android.os;

/** Stub (API 1). */
public final class Looper {
    public static Looper getMainLooper() { throw new RuntimeException("stub"); }
}
