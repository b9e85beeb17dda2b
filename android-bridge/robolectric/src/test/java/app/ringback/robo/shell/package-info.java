/**
 * The app's compiled shell (android-bridge/app) on the real framework, with the host build of
 * the Rust library loaded in the same JVM: receivers, the foreground service, onboarding,
 * pairing, the status screen and its switch. The app's classes are reached by name (they are
 * on the test class path only when scripts/android-robolectric runs the suite), its texts by
 * their resource names.
 *
 * <p>Conscrypt is off, as for the rest of the suite (see app.ringback.robo).
 */
@ConscryptMode(ConscryptMode.Mode.OFF)
package app.ringback.robo.shell;

import org.robolectric.annotation.ConscryptMode;
