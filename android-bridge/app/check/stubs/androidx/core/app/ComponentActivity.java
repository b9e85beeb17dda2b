package androidx.core.app;

import android.app.Activity;

/** Stub (androidx.core 1.x). */
public class ComponentActivity extends Activity {}
