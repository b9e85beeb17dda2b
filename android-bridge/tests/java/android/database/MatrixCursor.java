package android.database;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Double of {@code android.database.MatrixCursor} (API 1): rows of objects in memory. Getters
 * convert like Android's: numbers by value, strings parsed ({@code getLong} of "x" throws
 * NumberFormatException), null as 0 or null. On Android it extends AbstractCursor; here it
 * implements {@link Cursor} directly.
 */
public class MatrixCursor implements Cursor {
    private final String[] columnNames;
    private final List<Object[]> rows = new ArrayList<>();
    private int position = -1;
    private boolean closed;

    /** API 1. */
    public MatrixCursor(String[] columnNames) {
        this.columnNames = columnNames.clone();
    }

    /** API 1. */
    public void addRow(Object[] columnValues) {
        if (columnValues.length != columnNames.length) {
            throw new IllegalArgumentException(
                    "columnNames.length = " + columnNames.length + ", columnValues.length = " + columnValues.length);
        }
        rows.add(columnValues.clone());
    }

    @Override
    public boolean moveToNext() {
        return moveToPosition(position + 1);
    }

    private boolean moveToPosition(int newPosition) {
        checkOpen();
        if (newPosition >= rows.size()) {
            position = rows.size();
            return false;
        }
        if (newPosition < 0) {
            position = -1;
            return false;
        }
        position = newPosition;
        return true;
    }

    @Override
    public int getColumnIndex(String columnName) {
        return Arrays.asList(columnNames).indexOf(columnName);
    }

    private Object get(int column) {
        checkOpen();
        if (column < 0 || column >= columnNames.length) {
            throw new CursorIndexOutOfBoundsException("Requested column: " + column + ", # of columns: " + columnNames.length);
        }
        if (position < 0 || position >= rows.size()) {
            throw new CursorIndexOutOfBoundsException("Index " + position + " requested, with a size of " + rows.size());
        }
        return rows.get(position)[column];
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the cursor is closed");
        }
    }

    @Override
    public String getString(int column) {
        Object value = get(column);
        return value == null ? null : value.toString();
    }

    @Override
    public int getInt(int column) {
        Object value = get(column);
        if (value == null) {
            return 0;
        }
        return value instanceof Number ? ((Number) value).intValue() : Integer.parseInt(value.toString());
    }

    @Override
    public long getLong(int column) {
        Object value = get(column);
        if (value == null) {
            return 0;
        }
        return value instanceof Number ? ((Number) value).longValue() : Long.parseLong(value.toString());
    }

    @Override
    public boolean isNull(int column) {
        return get(column) == null;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }
}
