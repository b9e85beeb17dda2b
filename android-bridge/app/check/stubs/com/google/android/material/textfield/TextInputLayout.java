package com.google.android.material.textfield;

import android.content.Context;
import android.widget.LinearLayout;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

/** Stub (material 1.12). */
public class TextInputLayout extends LinearLayout {
    public TextInputLayout(@NonNull Context context) { super(context); throw new RuntimeException("stub"); }

    @Nullable public CharSequence getHint() { throw new RuntimeException("stub"); }
    public void setHint(@Nullable CharSequence hint) { throw new RuntimeException("stub"); }
}
