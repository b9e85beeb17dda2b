package android.util;

/** Stub (API 1). */
public class DisplayMetrics {
    public float density;
}
