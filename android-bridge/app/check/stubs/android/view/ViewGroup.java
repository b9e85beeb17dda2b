package android.view;

import android.content.Context;

/** Stub of android.view.ViewGroup (API 1). */
public abstract class ViewGroup extends View {
    public ViewGroup(Context context) { super(context); throw new RuntimeException("stub"); }

    public void addView(View child) { throw new RuntimeException("stub"); }
    public void addView(View child, LayoutParams params) { throw new RuntimeException("stub"); }
    public void removeAllViews() { throw new RuntimeException("stub"); }

    public static class LayoutParams {
        public static final int MATCH_PARENT = -1;
        public static final int WRAP_CONTENT = -2;

        public LayoutParams(int width, int height) { throw new RuntimeException("stub"); }
    }

    public static class MarginLayoutParams extends LayoutParams {
        public int topMargin;

        public MarginLayoutParams(int width, int height) { super(width, height); throw new RuntimeException("stub"); }
    }
}
