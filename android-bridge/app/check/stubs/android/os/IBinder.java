package android.os;

/** Stub (API 1). */
public interface IBinder {}
