package io.github.kubeoidc.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Go's {@code time.ParseDuration} syntax ({@code 90s}, {@code 2m}, {@code 1h30m}, {@code 0}), as kube flags take. */
final class GoDuration implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    if ("0".equals(value)) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(value);
    double nanos = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      double n = Double.parseDouble(m.group(1));
      nanos += n * switch (m.group(2)) {
        case "ns" -> 1d;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      end = m.end();
    }
    if (end == 0 || end != value.length()) {
      throw new CommandLine.TypeConversionException(
          "invalid duration \"" + value + "\": use Go syntax such as 90s, 2m or 1h30m (0 turns it off)");
    }
    return Duration.ofNanos((long) nanos);
  }
}
