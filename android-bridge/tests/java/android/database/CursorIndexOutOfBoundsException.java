package android.database;

/** Double of {@code android.database.CursorIndexOutOfBoundsException} (API 1). */
public class CursorIndexOutOfBoundsException extends IndexOutOfBoundsException {
    private static final long serialVersionUID = 1L;

    /** API 1. */
    public CursorIndexOutOfBoundsException(String message) {
        super(message);
    }
}
