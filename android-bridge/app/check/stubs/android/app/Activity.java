package android.app;

import android.content.Intent;
import android.os.Bundle;
import android.view.ContextThemeWrapper;
import android.view.View;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

/** Stub of android.app.Activity: the members the app uses. */
public class Activity extends ContextThemeWrapper {
    public Activity() { super(null, 0); throw new RuntimeException("stub"); }

    protected void onCreate(@Nullable Bundle savedInstanceState) { throw new RuntimeException("stub"); }
    protected void onResume() { throw new RuntimeException("stub"); }
    protected void onPause() { throw new RuntimeException("stub"); }
    protected void onSaveInstanceState(@NonNull Bundle outState) { throw new RuntimeException("stub"); }

    public void setContentView(View view) { throw new RuntimeException("stub"); }
    @Override public void startActivity(Intent intent) { throw new RuntimeException("stub"); }
    public void finish() { throw new RuntimeException("stub"); }
    public final void runOnUiThread(Runnable action) { throw new RuntimeException("stub"); }
    /** API 17. */
    public boolean isDestroyed() { throw new RuntimeException("stub"); }
    /** API 23. */
    public boolean shouldShowRequestPermissionRationale(@NonNull String permission) { throw new RuntimeException("stub"); }
}
