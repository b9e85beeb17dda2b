package com.google.android.material.card;

import android.content.Context;
import androidx.annotation.NonNull;
import androidx.cardview.widget.CardView;

/** Stub (material 1.12). */
public class MaterialCardView extends CardView {
    public MaterialCardView(@NonNull Context context) { super(context); throw new RuntimeException("stub"); }
}
