package io.github.kubeoidc.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The instructions of a Dockerfile's final stage that matter to how the image runs, read as Docker reads
 * them: line continuations joined, comments dropped, {@code ENTRYPOINT} and {@code CMD} in exec (JSON) form, and the
 * final stage's {@code RUN} steps (exec form as written; shell form as {@code /bin/sh -c}).
 */
record Dockerfile(List<String> entrypoint, List<String> cmd, String user, List<String> exposed, String baseImage,
    List<List<String>> runs) {
  static final Path PATH = Path.of("deploy/Dockerfile");

  static Dockerfile read() {
    try {
      return parse(Files.readString(PATH));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Dockerfile parse(String text) {
    List<String> entrypoint = null;
    List<String> cmd = null;
    String user = null;
    String from = null;
    List<String> exposed = new ArrayList<>();
    List<List<String>> runs = new ArrayList<>();
    for (String instruction : instructions(text)) {
      String[] parts = instruction.split("\\s+", 2);
      String keyword = parts[0].toUpperCase(Locale.ROOT);
      String rest = parts.length > 1 ? parts[1].strip() : "";
      switch (keyword) {
        case "FROM" -> { // a new stage: only the last one is the image
          from = rest.split("\\s+")[0];
          entrypoint = null;
          cmd = null;
          user = null;
          exposed = new ArrayList<>();
          runs = new ArrayList<>();
        }
        case "ENTRYPOINT" -> entrypoint = execForm(keyword, rest);
        case "CMD" -> cmd = execForm(keyword, rest);
        case "USER" -> user = rest;
        case "EXPOSE" -> exposed.addAll(List.of(rest.split("\\s+")));
        case "RUN" -> runs.add(rest.startsWith("[") ? execForm(keyword, rest) : List.of("/bin/sh", "-c", rest));
        default -> { }
      }
    }
    if (entrypoint == null || cmd == null) {
      throw new AssertionError(PATH + ": the final stage needs both ENTRYPOINT and CMD");
    }
    return new Dockerfile(entrypoint, cmd, user, List.copyOf(exposed), from, List.copyOf(runs));
  }

  /** The whole command line the image runs when nothing overrides it. */
  List<String> commandLine() {
    List<String> all = new ArrayList<>(entrypoint);
    all.addAll(cmd);
    return all;
  }

  private static List<String> instructions(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String l = line.strip();
      if (current.length() == 0 && (l.isEmpty() || l.startsWith("#"))) {
        continue;
      }
      if (l.startsWith("#")) { // a comment line inside a continued instruction
        continue;
      }
      if (l.endsWith("\\")) {
        current.append(l, 0, l.length() - 1).append(' ');
        continue;
      }
      current.append(l);
      out.add(current.toString().strip());
      current.setLength(0);
    }
    if (current.length() > 0) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static List<String> execForm(String keyword, String json) {
    if (!json.startsWith("[")) {
      throw new AssertionError(PATH + ": " + keyword + " must use the exec (JSON array) form, so no shell"
          + " sits between the container runtime and java (signals reach the JVM): " + json);
    }
    try {
      return new ObjectMapper().readValue(json, new TypeReference<List<String>>() { });
    } catch (IOException e) {
      throw new AssertionError(PATH + ": " + keyword + " is not a JSON array of strings: " + json, e);
    }
  }
}
