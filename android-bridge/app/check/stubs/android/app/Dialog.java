package android.app;

/** Stub (API 1). */
public class Dialog {}
