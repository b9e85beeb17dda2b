package org.json;

/** Stub (API 1). */
public class JSONException extends Exception {
    public JSONException(String message) { throw new RuntimeException("stub"); }
}
