package io.github.kubeoidc.config;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration cannot be used; every problem found is listed. The process exits with status 2. */
public final class ConfigException extends Exception {
  private final List<FieldError> errors;

  public ConfigException(List<FieldError> errors) {
    super(render(errors));
    this.errors = List.copyOf(errors);
  }

  public ConfigException(String message) {
    super(message);
    this.errors = List.of();
  }

  public List<FieldError> errors() {
    return errors;
  }

  private static String render(List<FieldError> errors) {
    if (errors.size() == 1) {
      return "invalid configuration: " + errors.get(0);
    }
    return errors.stream()
        .map(e -> "  - " + e)
        .collect(Collectors.joining("\n", "invalid configuration (" + errors.size() + " errors):\n", ""));
  }
}
