package android.os;

/** Stub of android.os.Build. The fields are read at run time, never compile-time constants. */
public class Build {
    /** API 4. */
    public static final String MANUFACTURER = stubString();
    /** API 1. */
    public static final String MODEL = stubString();

    public static class VERSION {
        /** API 4. */
        public static final int SDK_INT = stubInt();
    }

    public static class VERSION_CODES {
        public static final int O = 26;
        public static final int Q = 29;
        public static final int S = 31;
        public static final int TIRAMISU = 33;
        public static final int VANILLA_ICE_CREAM = 35;
    }

    private static String stubString() { throw new RuntimeException("stub"); }
    private static int stubInt() { throw new RuntimeException("stub"); }
}
