package androidx.activity;

import androidx.activity.result.ActivityResultCallback;
import androidx.activity.result.ActivityResultLauncher;
import androidx.activity.result.contract.ActivityResultContract;
import androidx.annotation.NonNull;

/** Stub of androidx.activity:activity 1.9 (what appcompat 1.7 brings). */
public class ComponentActivity extends androidx.core.app.ComponentActivity {
    @NonNull
    public final <I, O> ActivityResultLauncher<I> registerForActivityResult(
            @NonNull ActivityResultContract<I, O> contract,
            @NonNull ActivityResultCallback<O> callback) { throw new RuntimeException("stub"); }
}
