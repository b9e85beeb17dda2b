package android.net;

import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

/** Stub of android.net.Uri (API 1). */
public abstract class Uri implements Comparable<Uri> {
    public static Uri parse(String uriString) { throw new RuntimeException("stub"); }
    public static Uri fromParts(String scheme, String ssp, @Nullable String fragment) { throw new RuntimeException("stub"); }
    /** API 1. */
    @NonNull public java.util.List<String> getPathSegments() { throw new RuntimeException("stub"); }
    @Override public int compareTo(@NonNull Uri other) { throw new RuntimeException("stub"); }
}
