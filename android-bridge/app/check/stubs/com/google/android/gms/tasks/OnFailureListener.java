package com.google.android.gms.tasks;

import androidx.annotation.NonNull;

/** Stub. */
public interface OnFailureListener {
    void onFailure(@NonNull Exception e);
}
