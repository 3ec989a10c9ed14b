package io.github.kubeoidc.token;

/**
 * Why a token was not authenticated: the metric label, the {@code check} verdict and the log field.
 * Bounded and stable; never derived from token content.
 */
public enum Reason {
  /** Not a compact JWS with a readable payload: "not mine", answered without an error. */
  NOT_A_JWT(true),
  /** {@code iss} names no configured issuer: "not mine", answered without an error. */
  UNKNOWN_ISSUER(true),
  /** Over the size limit; never parsed. */
  TOKEN_TOO_LARGE(false),
  /** The issuer's keys have not been loaded yet. */
  NOT_INITIALIZED(false),
  /** The issuer is known but the token's structure or header is unusable. */
  MALFORMED_TOKEN(false),
  ALGORITHM_NOT_ALLOWED(false),
  KEY_NOT_FOUND(false),
  INVALID_SIGNATURE(false),
  EXPIRED(false),
  NOT_YET_VALID(false),
  /** A registered claim ({@code exp}, {@code nbf}, {@code iat}, {@code aud}) is missing or of the wrong type. */
  INVALID_CLAIM(false),
  ISSUER_MISMATCH(false),
  AUDIENCE_MISMATCH(false),
  USERNAME_INVALID(false),
  EMAIL_NOT_VERIFIED(false),
  GROUPS_INVALID(false),
  UID_INVALID(false),
  /** A {@code claimValidationRules} {@code claim}/{@code requiredValue} rule (or {@code --oidc-required-claim}) failed. */
  REQUIRED_CLAIM(false),
  /** The groups claim had to be fetched from a distributed claims source, and that failed. */
  DISTRIBUTED_CLAIMS_FAILED(false),
  /** An {@code extra} value expression failed or returned the wrong type. */
  EXTRA_INVALID(false),
  /** A {@code claimValidationRules} expression was false or failed. */
  CLAIM_RULE_FAILED(false),
  /** A {@code userValidationRules} expression was false or failed. */
  USER_RULE_FAILED(false),
  /** The username came from a claim and is in Kubernetes' reserved {@code system:} namespace. */
  SYSTEM_IDENTITY(false);

  private final boolean notMine;

  Reason(boolean notMine) {
    this.notMine = notMine;
  }

  /**
   * True when the token is not for this webhook at all. The answer then carries no {@code status.error},
   * which lets kube-apiserver cache it and try its other authenticators.
   */
  public boolean notMine() {
    return notMine;
  }
}
