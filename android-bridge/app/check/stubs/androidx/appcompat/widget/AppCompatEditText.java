package androidx.appcompat.widget;

import android.content.Context;
import android.text.Editable;
import android.widget.EditText;
import androidx.annotation.Nullable;

/** Stub (androidx.appcompat 1.7). */
public class AppCompatEditText extends EditText {
    public AppCompatEditText(@androidx.annotation.NonNull Context context) { super(context); throw new RuntimeException("stub"); }

    @Override @Nullable public Editable getText() { throw new RuntimeException("stub"); }
}
