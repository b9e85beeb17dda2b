package org.json;

import androidx.annotation.NonNull;

/** Stub of org.json.JSONObject (API 1; part of the Android platform). */
public class JSONObject {
    public JSONObject() { throw new RuntimeException("stub"); }

    @NonNull
    public JSONObject put(@NonNull String name, Object value) throws JSONException { throw new RuntimeException("stub"); }
    @NonNull @Override
    public String toString() { throw new RuntimeException("stub"); }
}
