package android.content;

/** Stub (API 1). */
public class ActivityNotFoundException extends RuntimeException {
    public ActivityNotFoundException() { throw new RuntimeException("stub"); }
}
