package android.database;

import java.io.Closeable;

/** Double of {@code android.database.Cursor} (API 1): only the members the Rust side uses. */
public interface Cursor extends Closeable {
    /** API 1. */
    boolean moveToNext();

    /** API 1. */
    int getColumnIndex(String columnName);

    /** API 1. */
    String getString(int columnIndex);

    /** API 1. */
    int getInt(int columnIndex);

    /** API 1. */
    long getLong(int columnIndex);

    /** API 3. */
    boolean isNull(int columnIndex);

    /** API 1. */
    @Override
    void close();

    /** API 1. */
    boolean isClosed();
}
