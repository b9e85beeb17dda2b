package android.content;

/** Stub of android.content.ContentValues (API 1). */
public final class ContentValues {
    public ContentValues() { throw new RuntimeException("stub"); }
}
