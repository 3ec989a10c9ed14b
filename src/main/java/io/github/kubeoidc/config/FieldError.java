package io.github.kubeoidc.config;

/**
 * One configuration problem, rendered like Kubernetes' {@code field.Error}:
 * {@code jwt[1].issuer.url: Duplicate value: "https://issuer"}.
 */
public record FieldError(FieldPath field, Type type, String value, String detail) {

  public enum Type {
    REQUIRED("Required value"),
    INVALID("Invalid value"),
    DUPLICATE("Duplicate value"),
    TOO_MANY("Too many"),
    NOT_SUPPORTED("Unsupported value"),
    FORBIDDEN("Forbidden"),
    UNKNOWN_FIELD("Unknown field");

    private final String label;

    Type(String label) {
      this.label = label;
    }
  }

  /** Shown instead of certificate data. */
  public static final String OMITTED = "<omitted>";

  public static FieldError required(FieldPath f, String detail) {
    return new FieldError(f, Type.REQUIRED, null, detail);
  }

  public static FieldError invalid(FieldPath f, String value, String detail) {
    return new FieldError(f, Type.INVALID, value, detail);
  }

  public static FieldError duplicate(FieldPath f, String value) {
    return new FieldError(f, Type.DUPLICATE, value, null);
  }

  public static FieldError forbidden(FieldPath f, String detail) {
    return new FieldError(f, Type.FORBIDDEN, null, detail);
  }

  public static FieldError unknownField(FieldPath f) {
    return new FieldError(f, Type.UNKNOWN_FIELD, null, null);
  }

  public static FieldError notSupported(FieldPath f, String value, String detail) {
    return new FieldError(f, Type.NOT_SUPPORTED, value, detail);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder().append(field).append(": ").append(type.label);
    if (value != null) {
      // Go's field.Error prints a count (TooMany) bare and a string %q-quoted.
      b.append(": ").append(OMITTED.equals(value) || type == Type.TOO_MANY ? value : quote(value));
    }
    if (detail != null && !detail.isEmpty()) {
      b.append(": ").append(detail);
    }
    return b.toString();
  }

  /** Quotes a value the way Go's %q does for printable text, escaping what would break a log line. */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
