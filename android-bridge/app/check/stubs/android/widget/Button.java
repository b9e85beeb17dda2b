package android.widget;

import android.content.Context;

/** Stub (API 1). */
public class Button extends TextView {
    public Button(Context context) { super(context); throw new RuntimeException("stub"); }
}
