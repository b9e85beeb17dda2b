package app.ringback.robo.oracle;

import static org.junit.Assert.assertFalse;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

/**
 * One of Ringback's Rust example filters (a line in, a line out), started once per test: the
 * oracles ask it the question they ask the framework. Its path comes from a system property
 * that scripts/android-robolectric sets; without it the test is skipped, not failed.
 */
final class RustFilter implements AutoCloseable {
  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;

  private RustFilter(Process process) {
    this.process = process;
    this.in = new BufferedWriter(
        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts the binary named by {@code property}; fails (never skips) when it is not set, so
   * an oracle cannot quietly stop running (scripts/android-robolectric sets it).
   */
  static RustFilter start(String property, String example) throws IOException {
    String bin = System.getProperty(property, "");
    assertFalse("set -D" + property + "=<path of the " + example + " example>", bin.isEmpty());
    return new RustFilter(
        new ProcessBuilder(bin).redirectError(ProcessBuilder.Redirect.INHERIT).start());
  }

  /** Rust's answer to one line. */
  String ask(String line) throws IOException {
    in.write(line);
    in.newLine();
    in.flush();
    String answer = out.readLine();
    if (answer == null) {
      throw new IOException("the Rust filter ended without answering " + line);
    }
    return answer;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    in.close();
    process.waitFor();
  }

  /** The seed of a test's randomness: -Dringback.oracleSeed, or the fixed default. */
  static long seed() {
    return Long.getLong("ringback.oracleSeed", 17L);
  }
}
