package com.google.mlkit.vision.codescanner;

import com.google.android.gms.tasks.Task;
import com.google.mlkit.vision.barcode.common.Barcode;

/** Stub (play-services-code-scanner 16.1). */
public interface GmsBarcodeScanner {
    Task<Barcode> startScan();
}
