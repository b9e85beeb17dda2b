package android.content.res;

import android.util.DisplayMetrics;

/** Stub (API 1). */
public class Resources {
    public DisplayMetrics getDisplayMetrics() { throw new RuntimeException("stub"); }
}
