package android.provider;

/** Double of {@code android.provider.BaseColumns} (API 1). */
public interface BaseColumns {
    /** API 1. */
    String _ID = "_id";
    /** API 1. */
    String _COUNT = "_count";
}
