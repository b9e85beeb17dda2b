package androidx.annotation;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

/** Stub of androidx.annotation:annotation. Kotlin reads it as "never null". */
@Retention(RetentionPolicy.CLASS)
public @interface NonNull {}
