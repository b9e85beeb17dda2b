package android.view;

import android.content.Context;
import androidx.annotation.Nullable;

/** Stub of android.view.View: the members the app uses (API 1 unless noted). */
public class View {
    public View(Context context) { throw new RuntimeException("stub"); }

    public final Context getContext() { throw new RuntimeException("stub"); }
    public void setOnClickListener(@Nullable OnClickListener l) { throw new RuntimeException("stub"); }
    public void setPadding(int left, int top, int right, int bottom) { throw new RuntimeException("stub"); }
    /** API 16. */
    public boolean getFitsSystemWindows() { throw new RuntimeException("stub"); }
    public void setFitsSystemWindows(boolean fitSystemWindows) { throw new RuntimeException("stub"); }
    public boolean isEnabled() { throw new RuntimeException("stub"); }
    public void setEnabled(boolean enabled) { throw new RuntimeException("stub"); }

    public interface OnClickListener {
        void onClick(View v);
    }
}
