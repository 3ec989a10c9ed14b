package io.github.kubeoidc.config;

/** A path into the configuration, rendered as Kubernetes renders it: {@code jwt[0].issuer.url}. */
public record FieldPath(String path) {

  public static FieldPath root(String name) {
    return new FieldPath(name);
  }

  public FieldPath child(String name) {
    return new FieldPath(path.isEmpty() ? name : path + "." + name);
  }

  public FieldPath index(int i) {
    return new FieldPath(path + "[" + i + "]");
  }

  @Override
  public String toString() {
    return path;
  }
}
