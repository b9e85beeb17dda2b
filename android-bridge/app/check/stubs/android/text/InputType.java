package android.text;

/** Stub (API 3). */
public interface InputType {
    int TYPE_CLASS_TEXT = 0x00000001;
    int TYPE_TEXT_FLAG_CAP_WORDS = 0x00002000;
    int TYPE_TEXT_FLAG_NO_SUGGESTIONS = 0x00080000;
}
