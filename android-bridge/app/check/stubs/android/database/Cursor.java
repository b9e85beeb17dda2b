package android.database;

/** Stub of android.database.Cursor (API 1): the type only. */
public interface Cursor extends java.io.Closeable {}
