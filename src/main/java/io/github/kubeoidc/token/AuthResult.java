package io.github.kubeoidc.token;

/** The outcome of one token. */
public sealed interface AuthResult {

  /**
   * @param issuer the configured issuer URL that verified the token
   * @param expiresAt the token's {@code exp}: no answer may be reused past it
   */
  record Authenticated(UserInfo user, String issuer, java.time.Instant expiresAt) implements AuthResult {}

  /**
   * @param issuer the configured issuer the token was routed to, or null when none ("not mine")
   */
  record Rejected(Reason reason, String detail, String issuer) implements AuthResult {
    public static Rejected of(TokenRejectedException e, String issuer) {
      return new Rejected(e.reason(), e.detail(), issuer);
    }
  }
}
