package com.google.android.material.button;

import android.content.Context;
import androidx.annotation.NonNull;
import androidx.appcompat.widget.AppCompatButton;

/** Stub (material 1.12). */
public class MaterialButton extends AppCompatButton {
    public MaterialButton(@NonNull Context context) { super(context); throw new RuntimeException("stub"); }
}
