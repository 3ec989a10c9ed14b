package io.github.kubeoidc.cel;

/** An expression that does not compile or type-check: a configuration error. The message is cel's, with its caret. */
public final class CelCompileException extends Exception {
  public CelCompileException(String message) {
    super(message, null, false, false);
  }
}
