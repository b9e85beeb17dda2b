package android.widget;

import android.content.Context;
import android.text.Editable;

/** Stub (API 1). */
public class EditText extends TextView {
    public EditText(Context context) { super(context); throw new RuntimeException("stub"); }

    @Override public Editable getText() { throw new RuntimeException("stub"); }
}
