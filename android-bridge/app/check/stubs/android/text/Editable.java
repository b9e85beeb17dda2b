package android.text;

/** Stub (API 1); the real one also extends GetChars, Spannable and Appendable. */
public interface Editable extends CharSequence {}
