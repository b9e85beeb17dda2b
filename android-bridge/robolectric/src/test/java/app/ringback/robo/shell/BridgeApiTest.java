package app.ringback.robo.shell;

import static app.ringback.robo.shell.Shell.call;
import static app.ringback.robo.shell.Shell.get;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.file.Files;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;

/**
 * The bridge's API as the app's Kotlin calls it (the uniffi bindings, through JNA into the
 * host library, NativeInit having handed it this framework's Context): what it refuses,
 * with a typed error whose message names what is wrong, and {@code stop}. On a bridge of
 * its own (loopback network, its own folder), so that stopping it leaves the JVM's bridge
 * (BridgeHolder's, which the other tests share) running.
 */
@RunWith(RobolectricTestRunner.class)
public class BridgeApiTest extends ShellTest {
  private static Object config(String dataDir, String settingsJson) throws Exception {
    return Shell.appClass("bridge.BridgeConfig")
        .getConstructor(String.class, String.class, String.class, String.class)
        .newInstance(dataDir, "Robolectric", "loopback", settingsJson);
  }

  private static Object start(Object config) throws Throwable {
    Class<?> bridge = Shell.appClass("bridge.Bridge");
    return call(bridge.getField("Companion").get(null), "start", config);
  }

  /** What {@code action} throws: a BridgeException of {@code kind}, whose message it returns. */
  private static String refused(String kind, String what, ThrowingRunnable action) {
    try {
      action.run();
    } catch (Throwable e) {
      assertEquals(what + ": " + e, "app.ringback.bridge.BridgeException$" + kind, e.getClass().getName());
      assertTrue(what + ": the error says what is wrong", e.getMessage() != null && !e.getMessage().isBlank());
      return e.getMessage();
    }
    fail(what + ": expected BridgeException." + kind + ", nothing was thrown");
    return null;
  }

  private interface ThrowingRunnable {
    void run() throws Throwable;
  }

  @Test
  public void bad_input_is_a_typed_error_that_names_it_and_stop_stops() throws Throwable {
    // NativeInit.init has handed the library the app's Context (as the app's first use does).
    Shell.bridge();
    File data = Files.createTempDirectory("ringback-api-test").toFile();
    Object bridge = null;
    try {
      String settings = "{\"business_name\": \"" + Shell.BUSINESS + "\", \"region\": \"US\"}";
      assertTrue(refused("InvalidInput", "an empty data folder", () -> start(config(" ", settings)))
          .contains("data_dir"));
      assertTrue(refused("InvalidInput", "settings that are not JSON",
          () -> start(config(data.getPath(), "{business_name"))).contains("settings_json"));

      bridge = start(config(data.getPath(), settings));
      Object running = bridge;
      assertEquals(true, get(call(running, "status"), "Running"));

      assertTrue(refused("InvalidInput", "a pairing code that is not one",
          () -> Shell.runSuspend(running, "pair", "not a code")).length() > 0);
      assertTrue(refused("InvalidInput", "part 3 of 2",
          () -> call(running, "onSmsSent", 1L, 3, 2, -1, null)).contains("part 3 of 2"));
      assertTrue(refused("InvalidInput", "part 0 of 0",
          () -> call(running, "onSmsDelivered", 1L, 0, 0, new byte[0], "3gpp")).contains("part 0 of 0"));
      refused("InvalidInput", "a service state Android does not have",
          () -> call(running, "onServiceState", 2, 9));
      refused("InvalidInput", "a delivery report that is no PDU",
          () -> call(running, "onSmsDelivered", 1L, 0, 1, new byte[] {1, 2, 3}, "3gpp"));
      assertTrue("still running after what it refused", (Boolean) get(call(running, "status"), "Running"));

      Shell.runSuspend(running, "stop");
      assertEquals("Ringback is not running; open the app",
          refused("NotRunning", "status after stop", () -> call(running, "status")));
      refused("NotRunning", "a sent report after stop", () -> call(running, "onSmsSent", 1L, 0, 1, -1, null));
      refused("NotRunning", "the switch after stop", () -> call(running, "setEnabled", false));
      // Stopping twice is harmless.
      Shell.runSuspend(running, "stop");
      assertFalse("the JVM's own bridge runs on", Shell.bridge() == running);
      assertEquals(true, get(call(Shell.bridge(), "status"), "Running"));
    } finally {
      if (bridge != null) {
        Shell.runSuspend(bridge, "stop");
        call(bridge, "destroy");
      }
      deleteRecursively(data);
    }
  }

  private static void deleteRecursively(File file) {
    File[] children = file.listFiles();
    if (children != null) for (File child : children) deleteRecursively(child);
    file.delete();
  }
}
