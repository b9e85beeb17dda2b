/**
 * Robolectric tests of Ringback's Android side on the real framework.
 *
 * <p>Conscrypt is off: with the framework jar on the runner's class path, Robolectric's
 * Conscrypt (conscrypt-openjdk-uber, outside the sandbox) reads the instrumented
 * android.os.Build$VERSION and fails ("Could not initialize class org.conscrypt.Platform");
 * nothing here needs TLS inside the sandbox (iroh runs in Rust).
 */
@ConscryptMode(ConscryptMode.Mode.OFF)
package app.ringback.robo;

import org.robolectric.annotation.ConscryptMode;
