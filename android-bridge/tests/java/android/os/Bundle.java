package android.os;

/** Double of {@code android.os.Bundle} (API 1): only the type, for signatures that take one. */
public final class Bundle {
    /** API 1. */
    public Bundle() {}
}
