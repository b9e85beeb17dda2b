package androidx.annotation;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

/** Stub of androidx.annotation:annotation. Kotlin reads it as "may be null" (String?). */
@Retention(RetentionPolicy.CLASS)
public @interface Nullable {}
