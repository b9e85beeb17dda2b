package androidx.appcompat.widget;

import android.content.Context;
import android.widget.Button;

/** Stub (androidx.appcompat 1.7). */
public class AppCompatButton extends Button {
    public AppCompatButton(@androidx.annotation.NonNull Context context) { super(context); throw new RuntimeException("stub"); }
}
