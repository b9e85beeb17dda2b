package android.widget;

import android.content.Context;

/** Stub (API 1). */
public class ScrollView extends FrameLayout {
    public ScrollView(Context context) { super(context); throw new RuntimeException("stub"); }
}
