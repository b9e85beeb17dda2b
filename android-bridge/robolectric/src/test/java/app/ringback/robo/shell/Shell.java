package app.ringback.robo.shell;

import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.app.Application;
import android.content.Context;
import android.os.Looper;
import android.view.View;
import android.view.ViewGroup;
import android.widget.TextView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.robolectric.RuntimeEnvironment;

/** The app as the tests see it: its classes by name, its texts by resource name. */
final class Shell {
  static final String PACKAGE = "app.ringback";
  /** The business name every test's onboarding preferences carry (the bridge may start in any test). */
  static final String BUSINESS = "Acme Plumbing";

  private Shell() {}

  static Application app() {
    return RuntimeEnvironment.getApplication();
  }

  /** An app class, e.g. {@code "MainActivity"}. */
  @SuppressWarnings("unchecked")
  static <T> Class<T> appClass(String simpleName) {
    try {
      return (Class<T>) Class.forName(PACKAGE + "." + simpleName);
    } catch (ClassNotFoundException e) {
      throw new AssertionError("the app's " + simpleName + " is not on the class path", e);
    }
  }

  /** A string resource of the app, formatted. */
  static String string(String name, Object... args) {
    Context app = app();
    int id = app.getResources().getIdentifier(name, "string", PACKAGE);
    if (id == 0) throw new AssertionError("no string resource " + name);
    return app.getString(id, args);
  }

  /** What ShellPrefs keeps (the "shell" preferences). */
  static android.content.SharedPreferences prefs() {
    return app().getSharedPreferences("shell", Context.MODE_PRIVATE);
  }

  /**
   * Runs the main looper (which delivers the broadcasts sent so far), waits until the bridge
   * has taken everything handed to it (BridgeHolder.events, then .screens), and runs the main
   * looper again for what the bridge's answers posted back (runOnUiThread).
   */
  static void drainBridge() throws Exception {
    shadowOf(Looper.getMainLooper()).idle();
    for (String executor : new String[] {"getEvents", "getScreens"}) {
      Object holder = appClass("BridgeHolder").getField("INSTANCE").get(null);
      ExecutorService queue = (ExecutorService) holder.getClass().getMethod(executor).invoke(holder);
      queue.submit(() -> {}).get(60, TimeUnit.SECONDS);
    }
    shadowOf(Looper.getMainLooper()).idle();
  }

  /**
   * Stops the JVM's bridge when the JVM exits: its engine may still be answering the last test
   * (a switch turned, a text sent) on a Rust thread, and a JNI call into a JVM that is shutting
   * down crashes it (SIGSEGV). Bridge.stop is a Kotlin suspend function: run to its end with
   * runBlocking, all by reflection (the app's classes are not on the compile class path).
   */
  static synchronized void stopBridgeAtExit() {
    if (stopHook != null) return;
    stopHook = new Thread(() -> {
      try {
        Object holder = appClass("BridgeHolder").getField("INSTANCE").get(null);
        java.lang.reflect.Field field = holder.getClass().getDeclaredField("bridge");
        field.setAccessible(true);
        Object bridge = field.get(holder);
        if (bridge == null) return;
        ClassLoader loader = bridge.getClass().getClassLoader();
        Class<?> continuation = Class.forName("kotlin.coroutines.Continuation", true, loader);
        Class<?> function2 = Class.forName("kotlin.jvm.functions.Function2", true, loader);
        Class<?> context = Class.forName("kotlin.coroutines.CoroutineContext", true, loader);
        Object empty = Class.forName("kotlin.coroutines.EmptyCoroutineContext", true, loader)
            .getField("INSTANCE").get(null);
        java.lang.reflect.Method stop = bridge.getClass().getMethod("stop", continuation);
        Object block = java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {function2},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "invoke": return stop.invoke(bridge, args[1]);
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                default: return "Bridge.stop";
              }
            });
        Class.forName("kotlinx.coroutines.BuildersKt", true, loader)
            .getMethod("runBlocking", context, function2)
            .invoke(null, empty, block);
      } catch (Throwable e) {
        System.err.println("could not stop the bridge at exit: " + e);
      }
    }, "stop the bridge");
    Runtime.getRuntime().addShutdownHook(stopHook);
  }

  private static Thread stopHook;

  /** The bridge's status problems (Bridge.status().problems), for failure messages. */
  static Object bridgeProblems() {
    try {
      Object holder = appClass("BridgeHolder").getField("INSTANCE").get(null);
      Object bridge = holder.getClass().getMethod("get", Context.class).invoke(holder, app());
      if (bridge == null) return "no bridge: " + startProblem();
      Object status = bridge.getClass().getMethod("status").invoke(bridge);
      return status.getClass().getMethod("getProblems").invoke(status);
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** Why the bridge did not start (BridgeHolder.startProblem), or null. */
  static String startProblem() throws Exception {
    Object holder = appClass("BridgeHolder").getField("INSTANCE").get(null);
    return (String) holder.getClass().getMethod("getStartProblem").invoke(holder);
  }

  /** Every text shown on an activity's screen, in order. */
  static List<String> texts(Activity activity) {
    List<String> out = new ArrayList<>();
    collect(activity.getWindow().getDecorView(), out);
    return out;
  }

  private static void collect(View view, List<String> out) {
    if (view instanceof TextView) {
      CharSequence text = ((TextView) view).getText();
      if (text != null && text.length() > 0) out.add(text.toString());
    }
    if (view instanceof ViewGroup) {
      ViewGroup group = (ViewGroup) view;
      for (int i = 0; i < group.getChildCount(); i++) collect(group.getChildAt(i), out);
    }
  }

  /** The view on an activity's screen showing exactly {@code text}. */
  static <V extends View> V viewWithText(Activity activity, String text) {
    V found = find(activity.getWindow().getDecorView(), text);
    if (found == null) throw new AssertionError("no view shows \"" + text + "\"; the screen shows " + texts(activity));
    return found;
  }

  @SuppressWarnings("unchecked")
  private static <V extends View> V find(View view, String text) {
    if (view instanceof TextView && text.contentEquals(((TextView) view).getText())) return (V) view;
    if (view instanceof ViewGroup) {
      ViewGroup group = (ViewGroup) view;
      for (int i = 0; i < group.getChildCount(); i++) {
        V found = find(group.getChildAt(i), text);
        if (found != null) return found;
      }
    }
    return null;
  }

  /** Views of a type on the screen (e.g. the EditText to type into, the Switch). */
  static <V extends View> List<V> views(Activity activity, Class<V> type) {
    List<V> out = new ArrayList<>();
    views(activity.getWindow().getDecorView(), type, out);
    return out;
  }

  private static <V extends View> void views(View view, Class<V> type, List<V> out) {
    if (type.isInstance(view)) out.add(type.cast(view));
    if (view instanceof ViewGroup) {
      ViewGroup group = (ViewGroup) view;
      for (int i = 0; i < group.getChildCount(); i++) views(group.getChildAt(i), type, out);
    }
  }
}
