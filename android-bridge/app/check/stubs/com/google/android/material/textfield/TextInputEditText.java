package com.google.android.material.textfield;

import android.content.Context;
import androidx.annotation.NonNull;
import androidx.appcompat.widget.AppCompatEditText;

/** Stub (material 1.12). */
public class TextInputEditText extends AppCompatEditText {
    public TextInputEditText(@NonNull Context context) { super(context); throw new RuntimeException("stub"); }
}
