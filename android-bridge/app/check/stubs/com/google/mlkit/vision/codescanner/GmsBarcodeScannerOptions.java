package com.google.mlkit.vision.codescanner;

/** Stub (play-services-code-scanner 16.1). */
public class GmsBarcodeScannerOptions {
    public static class Builder {
        public Builder() { throw new RuntimeException("stub"); }

        public Builder setBarcodeFormats(int format, int... moreFormats) { throw new RuntimeException("stub"); }
        public GmsBarcodeScannerOptions build() { throw new RuntimeException("stub"); }
    }
}
