package android.view;

import android.content.Context;
import android.content.ContextWrapper;

/** Stub (API 1). */
public class ContextThemeWrapper extends ContextWrapper {
    public ContextThemeWrapper(Context base, int themeResId) { super(base); throw new RuntimeException("stub"); }
}
