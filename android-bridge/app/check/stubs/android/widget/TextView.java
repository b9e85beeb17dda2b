package android.widget;

import android.content.Context;
import android.view.View;

/** Stub of android.widget.TextView: the members the app uses (API 1 unless noted). */
public class TextView extends View {
    public TextView(Context context) { super(context); throw new RuntimeException("stub"); }

    public CharSequence getText() { throw new RuntimeException("stub"); }
    public final void setText(CharSequence text) { throw new RuntimeException("stub"); }
    /** API 23. */
    public void setTextAppearance(int resId) { throw new RuntimeException("stub"); }
    public int getInputType() { throw new RuntimeException("stub"); }
    public void setInputType(int type) { throw new RuntimeException("stub"); }
    public void setSingleLine(boolean singleLine) { throw new RuntimeException("stub"); }
}
