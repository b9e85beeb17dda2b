/**
 * ringback-bridge's jni platform ({@code android-bridge/src/platform/android}) on the real
 * framework: {@link app.ringback.robo.platform.Probe} calls it from inside the Robolectric
 * sandbox. Conscrypt is off for the reason given in {@code app.ringback.robo}'s package-info.
 */
@ConscryptMode(ConscryptMode.Mode.OFF)
package app.ringback.robo.platform;

import org.robolectric.annotation.ConscryptMode;
