package android.os;

/** Stub (API 1). */
public final class Bundle extends BaseBundle {}
