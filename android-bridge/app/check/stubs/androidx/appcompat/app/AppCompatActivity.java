package androidx.appcompat.app;

import androidx.fragment.app.FragmentActivity;

/** Stub (androidx.appcompat 1.7). */
public class AppCompatActivity extends FragmentActivity {
    public AppCompatActivity() { throw new RuntimeException("stub"); }
}
