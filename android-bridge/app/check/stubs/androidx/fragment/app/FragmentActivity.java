package androidx.fragment.app;

import androidx.activity.ComponentActivity;

/** Stub (androidx.fragment 1.x). */
public class FragmentActivity extends ComponentActivity {}
