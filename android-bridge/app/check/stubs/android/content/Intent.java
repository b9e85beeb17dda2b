package android.content;

import android.net.Uri;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

/** Stub of android.content.Intent: the members the app uses. */
public class Intent {
    /** API 1. */
    public static final String ACTION_BOOT_COMPLETED = "android.intent.action.BOOT_COMPLETED";
    /** API 12. */
    public static final String ACTION_MY_PACKAGE_REPLACED = "android.intent.action.MY_PACKAGE_REPLACED";

    public Intent() { throw new RuntimeException("stub"); }
    public Intent(String action) { throw new RuntimeException("stub"); }
    public Intent(String action, Uri uri) { throw new RuntimeException("stub"); }
    public Intent(Context packageContext, Class<?> cls) { throw new RuntimeException("stub"); }

    @Nullable public String getAction() { throw new RuntimeException("stub"); }
    @Nullable public ComponentName getComponent() { throw new RuntimeException("stub"); }
    @NonNull public Intent setComponent(@Nullable ComponentName component) { throw new RuntimeException("stub"); }
    public boolean hasExtra(String name) { throw new RuntimeException("stub"); }
    @Nullable public String getStringExtra(String name) { throw new RuntimeException("stub"); }
    public int getIntExtra(String name, int defaultValue) { throw new RuntimeException("stub"); }
    public long getLongExtra(String name, long defaultValue) { throw new RuntimeException("stub"); }
    @Nullable public byte[] getByteArrayExtra(String name) { throw new RuntimeException("stub"); }
}
