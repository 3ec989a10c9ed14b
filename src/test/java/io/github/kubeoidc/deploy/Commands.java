package io.github.kubeoidc.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the deploy/ tools (kubectl, gencert.sh) as a person would, with a time limit. */
final class Commands {
  private Commands() {}

  /** What a finished command printed. */
  record Result(int exitCode, String stdout, String stderr) {}

  /**
   * Runs {@code command} in the project directory and returns its output; a command that cannot start,
   * runs over {@code limit} or exits non-zero fails the test with what it printed.
   */
  static Result run(Duration limit, List<String> command) throws IOException, InterruptedException {
    Result r = runAllowingFailure(limit, command);
    if (r.exitCode() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited with " + r.exitCode()
          + "\nstdout:\n" + r.stdout() + "\nstderr:\n" + r.stderr());
    }
    return r;
  }

  /** As {@link #run}, but a non-zero exit is returned, not failed. */
  static Result runAllowingFailure(Duration limit, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("command-", ".out");
    Path err = Files.createTempFile("command-", ".err");
    try {
      Process p;
      try {
        p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      } catch (IOException e) {
        throw new AssertionError("cannot run " + command.get(0) + " (" + e.getMessage() + "): it must be"
            + " installed and on the PATH for this test", e);
      }
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + limit);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Runs {@code deploy/gencert.sh} into {@code dir} (which it creates) and returns what it printed. */
  static Result gencert(Path dir) throws IOException, InterruptedException {
    return run(Duration.ofSeconds(60), List.of("bash", "deploy/gencert.sh", dir.toString()));
  }
}
