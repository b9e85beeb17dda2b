package app.ringback.robo.platform;

import static org.junit.Assert.assertTrue;

import android.content.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The test-only JNI entry point of {@code android-bridge/robolectric/probe}
 * (libringback_robo_probe.so, path in the {@code ringback.probe} system property, set by
 * scripts/android-robolectric): runs one port of ringback-bridge's {@code AndroidPlatform}
 * on this thread and answers JSON.
 */
final class Probe {
  static {
    String built = System.getProperty("ringback.probe");
    if (built == null || built.isEmpty()) {
      throw new IllegalStateException(
          "-Dringback.probe is not set: run the suite with scripts/android-robolectric, which "
              + "builds libringback_robo_probe.so and passes its path");
    }
    // A JVM lets one class loader at a time hold a native library, and Robolectric loads this
    // class once per SDK sandbox, so each sandbox loads its own copy (its own Rust statics too).
    try {
      Path copy = Files.createTempFile("ringback_robo_probe", ".so");
      copy.toFile().deleteOnExit();
      Files.copy(Paths.get(built), copy, StandardCopyOption.REPLACE_EXISTING);
      System.load(copy.toString());
    } catch (IOException e) {
      throw new IllegalStateException("could not copy the probe library " + built, e);
    }
  }

  private Probe() {}

  /** {@code op} with {@code args} (JSON) on a platform built from {@code context}. */
  static native String call(Context context, String op, String args);

  /** Runs {@code op} and parses the answer: {@code {"ok": …}} or {@code {"error": …}}. */
  static JSONObject run(Context context, String op, JSONObject args) {
    try {
      return new JSONObject(call(context, op, args.toString()));
    } catch (JSONException e) {
      throw new AssertionError("the probe answered something that is not JSON", e);
    }
  }

  /** A JSON object from name, value pairs: {@code args("line", "2", "id", 7)}. */
  static JSONObject args(Object... pairs) {
    JSONObject args = new JSONObject();
    try {
      for (int i = 0; i < pairs.length; i += 2) {
        args.put((String) pairs[i], pairs[i + 1]);
      }
    } catch (JSONException e) {
      throw new AssertionError(e);
    }
    return args;
  }

  /** What a port answered, which must not be a failure. */
  static Object ok(JSONObject answer) {
    assertTrue("the port failed: " + answer, answer.has("ok"));
    return answer.opt("ok");
  }

  /** How a port failed, which it must have. */
  static String error(JSONObject answer) {
    assertTrue("the port should have failed: " + answer, answer.has("error"));
    return answer.opt("error").toString();
  }
}
