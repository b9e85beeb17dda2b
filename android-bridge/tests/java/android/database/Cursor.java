package android.database;

import java.io.Closeable;

/** Double of {@code android.database.Cursor} (API 1): the members the Rust side uses and a few more. */
public interface Cursor extends Closeable {
    /** API 1. */
    int FIELD_TYPE_NULL = 0;
    /** API 1. */
    int FIELD_TYPE_INTEGER = 1;
    /** API 1. */
    int FIELD_TYPE_FLOAT = 2;
    /** API 1. */
    int FIELD_TYPE_STRING = 3;
    /** API 1. */
    int FIELD_TYPE_BLOB = 4;

    /** API 1. */
    int getCount();

    /** API 1. */
    int getPosition();

    /** API 1. */
    boolean moveToFirst();

    /** API 1. */
    boolean moveToNext();

    /** API 1. */
    boolean moveToPosition(int position);

    /** API 1. -1 when there is no such column. */
    int getColumnIndex(String columnName);

    /** API 1. */
    int getColumnIndexOrThrow(String columnName) throws IllegalArgumentException;

    /** API 1. */
    String getColumnName(int columnIndex);

    /** API 1. */
    String[] getColumnNames();

    /** API 1. */
    int getColumnCount();

    /** API 1. */
    String getString(int columnIndex);

    /** API 1. */
    int getInt(int columnIndex);

    /** API 1. */
    long getLong(int columnIndex);

    /** API 1. */
    boolean isNull(int columnIndex);

    /** API 11. */
    int getType(int columnIndex);

    /** API 1. */
    @Override
    void close();

    /** API 1. */
    boolean isClosed();
}
