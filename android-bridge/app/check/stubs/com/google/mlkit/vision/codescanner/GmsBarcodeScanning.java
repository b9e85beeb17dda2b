package com.google.mlkit.vision.codescanner;

import android.content.Context;

/** Stub (play-services-code-scanner 16.1). */
public final class GmsBarcodeScanning {
    public static GmsBarcodeScanner getClient(Context context) { throw new RuntimeException("stub"); }
    public static GmsBarcodeScanner getClient(Context context, GmsBarcodeScannerOptions options) { throw new RuntimeException("stub"); }
}
