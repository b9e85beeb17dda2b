package com.google.android.gms.tasks;

/** Stub. */
public interface OnSuccessListener<TResult> {
    void onSuccess(TResult result);
}
