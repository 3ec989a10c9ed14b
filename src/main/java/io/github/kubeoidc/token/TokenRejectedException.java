package io.github.kubeoidc.token;

/**
 * The one rejection type inside the pipeline. {@code detail} is short, lowercase, safe to return in
 * {@code status.error}: it never contains the token, and untrusted values in it are quoted and truncated.
 */
public final class TokenRejectedException extends Exception {
  private final Reason reason;

  public TokenRejectedException(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public String detail() {
    return getMessage();
  }
}
