package io.github.kubeoidc.cel;

/** An expression that failed at evaluation (missing key, wrong type, cost limit): the token is rejected. */
public final class CelEvalException extends Exception {
  public CelEvalException(String message) {
    super(message, null, false, false);
  }
}
