package android.content.pm;

/** Stub of android.content.pm.ServiceInfo. */
public class ServiceInfo {
    /** API 34 (the flag value the manifest's "remoteMessaging" compiles to). */
    public static final int FOREGROUND_SERVICE_TYPE_REMOTE_MESSAGING = 1 << 9;
}
