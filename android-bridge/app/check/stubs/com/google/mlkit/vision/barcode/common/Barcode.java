package com.google.mlkit.vision.barcode.common;

import androidx.annotation.Nullable;

/** Stub (ML Kit barcode common, through play-services-code-scanner 16.1). */
public class Barcode {
    public static final int FORMAT_QR_CODE = 256;

    @Nullable public String getRawValue() { throw new RuntimeException("stub"); }
}
