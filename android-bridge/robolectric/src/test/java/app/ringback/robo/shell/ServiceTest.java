package app.ringback.robo.shell;

import static app.ringback.robo.shell.Shell.app;
import static app.ringback.robo.shell.Shell.appClass;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.robolectric.Shadows.shadowOf;

import android.app.Notification;
import android.app.NotificationChannel;
import android.app.NotificationManager;
import android.app.Service;
import android.content.ComponentName;
import android.content.Intent;
import android.content.pm.ServiceInfo;
import android.os.Build;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.android.controller.ServiceController;
import org.robolectric.shadows.ShadowService;

/** RingbackService, the foreground service that keeps the bridge alive. */
@RunWith(RobolectricTestRunner.class)
public class ServiceTest extends ShellTest {
  @Test
  public void start_goes_foreground_of_type_remoteMessaging_with_its_notification() throws Exception {
    Class<Service> type = appClass("RingbackService");
    ServiceController<Service> controller =
        Robolectric.buildService(type, new Intent(app(), type)).create().startCommand(0, 1);
    Service service = controller.get();
    ShadowService shadow = shadowOf(service);
    Notification notification = shadow.getLastForegroundNotification();
    assertNotNull("startForeground was called with a notification", notification);
    assertFalse("the service did not stop itself", shadow.isStoppedBySelf());
    // The channel the app made at start (RingbackApp), which Android requires from 26 on.
    NotificationChannel channel =
        app().getSystemService(NotificationManager.class).getNotificationChannel(notification.getChannelId());
    assertNotNull("the notification's channel " + notification.getChannelId() + " exists", channel);
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
      // From 34 on a type-less startForeground throws on a phone
      // (MissingForegroundServiceTypeException); Robolectric records the type it was given.
      assertEquals(
          "the type the service asks for",
          ServiceInfo.FOREGROUND_SERVICE_TYPE_REMOTE_MESSAGING,
          service.getForegroundServiceType());
    }
    ServiceInfo info =
        app().getPackageManager().getServiceInfo(new ComponentName(app(), type), 0);
    assertFalse("the service is not exported", info.exported);
    Shell.drainBridge();
    controller.destroy();
  }

  @Test
  public void start_from_the_app_starts_the_service() throws Exception {
    Class<?> service = appClass("RingbackService");
    Object companion = service.getField("Companion").get(null);
    companion.getClass().getMethod("start", android.content.Context.class).invoke(companion, app());
    Intent started = shadowOf(app()).getNextStartedService();
    assertNotNull("RingbackService.start started a service", started);
    assertEquals(service.getName(), started.getComponent().getClassName());
  }

  /**
   * Robolectric's defaults leave the bindings alone: it instruments only the framework's
   * packages (and classes marked for it), so app.ringback.bridge is loaded by the sandbox
   * as compiled, and JNA (com.sun.*) is not even loaded by the sandbox, so its native
   * dispatch library is loaded once per JVM.
   */
  @Test
  public void the_bindings_are_not_instrumented_and_jna_stays_outside_the_sandbox() throws Exception {
    Class<?> bridge = Class.forName("app.ringback.bridge.Bridge");
    for (java.lang.reflect.Field field : bridge.getDeclaredFields()) {
      assertFalse("instrumented: " + field, field.getName().startsWith("__robo"));
    }
    for (java.lang.reflect.Method method : bridge.getDeclaredMethods()) {
      assertFalse("instrumented: " + method, method.getName().contains("$$robo$$"));
    }
    Class<?> activity = Class.forName("android.app.Activity");
    assertFalse(
        "the framework is instrumented (the check above can see it)",
        java.util.Arrays.stream(activity.getDeclaredFields()).noneMatch(f -> f.getName().startsWith("__robo")));
    ClassLoader jna = Class.forName("com.sun.jna.Native").getClassLoader();
    assertFalse("JNA comes from outside the sandbox", jna == bridge.getClassLoader());
  }

  /** The app's own manifest reaches Robolectric (shell/app-resources): without it the app targets SDK 23. */
  @Test
  public void the_app_runs_with_its_manifest_and_resources() {
    assertEquals(35, app().getApplicationInfo().targetSdkVersion);
    assertEquals(26, app().getApplicationInfo().minSdkVersion);
    assertEquals("app.ringback.RingbackApp", app().getClass().getName());
    assertEquals("Ringback", app().getPackageManager().getApplicationLabel(app().getApplicationInfo()).toString());
  }
}
