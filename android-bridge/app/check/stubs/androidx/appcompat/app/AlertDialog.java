package androidx.appcompat.app;

import android.app.Dialog;
import android.content.Context;
import android.content.DialogInterface;
import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

/** Stub (androidx.appcompat 1.7); the real one extends AppCompatDialog. */
public class AlertDialog extends Dialog {
    // The framework's Dialog has no constructor without arguments.
    protected AlertDialog(@NonNull Context context) { super(context); }

    public static class Builder {
        public Builder(@NonNull Context context) { throw new RuntimeException("stub"); }

        public Builder setTitle(@Nullable CharSequence title) { throw new RuntimeException("stub"); }
        public Builder setMessage(@Nullable CharSequence message) { throw new RuntimeException("stub"); }
        public Builder setPositiveButton(CharSequence text, @Nullable DialogInterface.OnClickListener listener) { throw new RuntimeException("stub"); }
        public Builder setNegativeButton(CharSequence text, @Nullable DialogInterface.OnClickListener listener) { throw new RuntimeException("stub"); }
        public AlertDialog show() { throw new RuntimeException("stub"); }
    }
}
