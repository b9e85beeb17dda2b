package android.widget;

import android.content.Context;
import android.view.ViewGroup;

/** Stub (API 1). */
public class FrameLayout extends ViewGroup {
    public FrameLayout(Context context) { super(context); throw new RuntimeException("stub"); }
}
