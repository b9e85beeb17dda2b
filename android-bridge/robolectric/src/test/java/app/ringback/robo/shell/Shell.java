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
        runSuspend(bridge, "stop");
      } catch (Throwable e) {
        System.err.println("could not stop the bridge at exit: " + e);
      }
    }, "stop the bridge");
    Runtime.getRuntime().addShutdownHook(stopHook);
  }

  /**
   * Calls a Kotlin suspend function of the bindings to its end, as the app's coroutines do
   * (kotlinx.coroutines' runBlocking), by reflection: {@code target.name(args..., continuation)}.
   * Throws what the function throws (e.g. a BridgeException).
   */
  static Object runSuspend(Object target, String name, Object... args) throws Throwable {
    ClassLoader loader = target.getClass().getClassLoader();
    Class<?> continuation = Class.forName("kotlin.coroutines.Continuation", true, loader);
    Class<?> function2 = Class.forName("kotlin.jvm.functions.Function2", true, loader);
    Class<?> context = Class.forName("kotlin.coroutines.CoroutineContext", true, loader);
    Object empty = Class.forName("kotlin.coroutines.EmptyCoroutineContext", true, loader)
        .getField("INSTANCE").get(null);
    java.lang.reflect.Method method = null;
    for (java.lang.reflect.Method m : target.getClass().getMethods()) {
      Class<?>[] types = m.getParameterTypes();
      if (m.getName().equals(name) && types.length == args.length + 1
          && types[args.length] == continuation) {
        method = m;
      }
    }
    if (method == null) throw new AssertionError("no suspend function " + name + " on " + target);
    java.lang.reflect.Method suspend = method;
    Object block = java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {function2},
        (proxy, m, blockArgs) -> {
          switch (m.getName()) {
            case "invoke":
              Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
              all[args.length] = blockArgs[1];
              try {
                return suspend.invoke(target, all);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            case "hashCode": return System.identityHashCode(proxy);
            case "equals": return proxy == blockArgs[0];
            default: return name;
          }
        });
    try {
      return Class.forName("kotlinx.coroutines.BuildersKt", true, loader)
          .getMethod("runBlocking", context, function2)
          .invoke(null, empty, block);
    } catch (java.lang.reflect.InvocationTargetException e) {
      // A BridgeException (checked for Java) thrown through the proxy comes wrapped.
      Throwable cause = e.getCause();
      if (cause instanceof java.lang.reflect.UndeclaredThrowableException) {
        throw ((java.lang.reflect.UndeclaredThrowableException) cause).getUndeclaredThrowable();
      }
      throw cause;
    }
  }

  /**
   * Calls a method of the bindings (or any app object) by name and argument count, throwing
   * what it throws (a BridgeException, not reflection's wrapper).
   */
  static Object call(Object target, String name, Object... args) throws Throwable {
    Class<?> type = target instanceof Class ? (Class<?>) target : target.getClass();
    for (java.lang.reflect.Method m : type.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length) {
        try {
          return m.invoke(target instanceof Class ? null : target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw e.getCause();
        }
      }
    }
    throw new AssertionError("no method " + name + " with " + args.length + " arguments on " + type);
  }

  /** A getter of a bindings record, e.g. {@code get(status, "Problems")}. */
  static Object get(Object record, String property) throws Throwable {
    return call(record, "get" + property);
  }

  /** The JVM's bridge (BridgeHolder.get), started on first use as a receiver would. */
  static Object bridge() throws Throwable {
    Object holder = appClass("BridgeHolder").getField("INSTANCE").get(null);
    Object bridge = call(holder, "get", app());
    if (bridge == null) throw new AssertionError("the bridge did not start: " + startProblem());
    return bridge;
  }

  /**
   * The bridge's last missed call as "caller: action", polled until {@code done} accepts it
   * (the bridge decides on the events thread; a send's report may follow), at most 10 s.
   */
  static String lastMissedCall(java.util.function.Predicate<String> done) throws Throwable {
    String seen = null;
    for (int i = 0; i < 100; i++) {
      drainBridge();
      Object last = get(call(bridge(), "status"), "LastMissedCall");
      seen = last == null ? null : get(last, "Caller") + ": " + get(last, "Action");
      if (seen != null && done.test(seen)) return seen;
      Thread.sleep(100);
    }
    return seen;
  }

  /**
   * The ringing of one SIM (id {@code sim}, slot 0) with the permissions a set-up phone has
   * given: what the receivers, the service and the bridge need.
   */
  static void phoneWithSim(int sim) {
    shadowOf(app())
        .grantPermissions(
            android.Manifest.permission.READ_CALL_LOG,
            android.Manifest.permission.READ_PHONE_STATE,
            android.Manifest.permission.SEND_SMS,
            android.Manifest.permission.RECEIVE_SMS,
            android.Manifest.permission.READ_SMS,
            android.Manifest.permission.READ_CONTACTS);
    org.robolectric.shadows.ShadowSubscriptionManager subscriptions =
        shadowOf(app().getSystemService(android.telephony.SubscriptionManager.class));
    subscriptions.setActiveSubscriptionInfoList(
        List.of(
            org.robolectric.shadows.ShadowSubscriptionManager.SubscriptionInfoBuilder.newBuilder()
                .setId(sim)
                .setSimSlotIndex(0)
                .setDisplayName("Acme line")
                .buildSubscriptionInfo()));
    org.robolectric.shadows.ShadowSubscriptionManager.setDefaultSmsSubscriptionId(sim);
  }

  /** An idle phone-state broadcast: a call ended, the bridge reads the call log. */
  static void callEnded() throws Exception {
    android.content.Intent intent =
        new android.content.Intent(android.telephony.TelephonyManager.ACTION_PHONE_STATE_CHANGED);
    intent.putExtra(
        android.telephony.TelephonyManager.EXTRA_STATE,
        android.telephony.TelephonyManager.EXTRA_STATE_IDLE);
    app().sendBroadcast(intent);
    drainBridge();
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
