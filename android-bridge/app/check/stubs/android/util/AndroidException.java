package android.util;

/** Stub (API 1). */
public class AndroidException extends Exception {
    public AndroidException() { throw new RuntimeException("stub"); }
}
