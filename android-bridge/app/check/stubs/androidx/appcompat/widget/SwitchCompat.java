package androidx.appcompat.widget;

import android.content.Context;
import android.widget.CompoundButton;

/** Stub (androidx.appcompat 1.7). */
public class SwitchCompat extends CompoundButton {
    public SwitchCompat(@androidx.annotation.NonNull Context context) { super(context); throw new RuntimeException("stub"); }
}
