package androidx.activity.result.contract;

/** Stub (androidx.activity 1.9). */
public abstract class ActivityResultContract<I, O> {}
