package com.google.android.material.dialog;

import android.content.Context;
import android.content.DialogInterface;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;
import androidx.appcompat.app.AlertDialog;

/** Stub (material 1.12): its setters return MaterialAlertDialogBuilder. */
public class MaterialAlertDialogBuilder extends AlertDialog.Builder {
    public MaterialAlertDialogBuilder(@NonNull Context context) { super(context); throw new RuntimeException("stub"); }

    @NonNull @Override public MaterialAlertDialogBuilder setTitle(@Nullable CharSequence title) { throw new RuntimeException("stub"); }
    @NonNull @Override public MaterialAlertDialogBuilder setMessage(@Nullable CharSequence message) { throw new RuntimeException("stub"); }
    @NonNull @Override public MaterialAlertDialogBuilder setPositiveButton(@Nullable CharSequence text, @Nullable DialogInterface.OnClickListener listener) { throw new RuntimeException("stub"); }
    @NonNull @Override public MaterialAlertDialogBuilder setNegativeButton(@Nullable CharSequence text, @Nullable DialogInterface.OnClickListener listener) { throw new RuntimeException("stub"); }
}
