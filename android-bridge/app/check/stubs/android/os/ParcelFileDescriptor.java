package android.os;

import androidx.annotation.NonNull;

/** Stub of android.os.ParcelFileDescriptor (API 1). */
public class ParcelFileDescriptor implements java.io.Closeable {
    /** API 1. */
    public static final int MODE_READ_ONLY = 0x10000000;

    @NonNull
    public static ParcelFileDescriptor open(java.io.File file, int mode) throws java.io.FileNotFoundException {
        throw new RuntimeException("stub");
    }

    @Override public void close() { throw new RuntimeException("stub"); }
}
