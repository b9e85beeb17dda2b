package android.widget;

import android.content.Context;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

/** Stub (API 1). */
public abstract class CompoundButton extends Button {
    public CompoundButton(Context context) { super(context); throw new RuntimeException("stub"); }

    public boolean isChecked() { throw new RuntimeException("stub"); }
    public void setChecked(boolean checked) { throw new RuntimeException("stub"); }
    public void setOnCheckedChangeListener(@Nullable OnCheckedChangeListener listener) { throw new RuntimeException("stub"); }

    public interface OnCheckedChangeListener {
        void onCheckedChanged(@NonNull CompoundButton buttonView, boolean isChecked);
    }
}
