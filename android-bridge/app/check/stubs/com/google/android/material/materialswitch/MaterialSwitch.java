package com.google.android.material.materialswitch;

import android.content.Context;
import androidx.annotation.NonNull;
import androidx.appcompat.widget.SwitchCompat;

/** Stub (material 1.7+, here 1.12). */
public class MaterialSwitch extends SwitchCompat {
    public MaterialSwitch(@NonNull Context context) { super(context); throw new RuntimeException("stub"); }
}
