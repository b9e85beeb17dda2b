package androidx.cardview.widget;

import android.content.Context;
import android.widget.FrameLayout;

/** Stub (androidx.cardview 1.0). */
public class CardView extends FrameLayout {
    public CardView(@androidx.annotation.NonNull Context context) { super(context); throw new RuntimeException("stub"); }
}
