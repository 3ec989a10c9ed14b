package io.github.kubeoidc.config;

import java.util.List;

/** One {@code jwt[i]} entry: an issuer with its claim rules and mappings. */
public record JwtAuthenticator(
    Issuer issuer,
    List<ClaimValidationRule> claimValidationRules,
    ClaimMappings claimMappings,
    List<UserValidationRule> userValidationRules) {

  public JwtAuthenticator {
    claimValidationRules = Lists.copy(claimValidationRules);
    userValidationRules = Lists.copy(userValidationRules);
  }

  /**
   * {@code issuer}. Nullable fields are as the file gave them: {@code certificateAuthority} is PEM text
   * (or base64 of it); {@code egressSelectorType} is accepted and ignored.
   */
  public record Issuer(
      String url,
      String discoveryURL,
      String certificateAuthority,
      List<String> audiences,
      String audienceMatchPolicy,
      String egressSelectorType) {
    public Issuer {
      audiences = Lists.copy(audiences);
    }

    /** The configured CA never appears in messages: it is a long blob and may be mistaken for a secret. */
    @Override
    public String toString() {
      return "Issuer[url=" + url + ", discoveryURL=" + discoveryURL + ", certificateAuthority="
          + (certificateAuthority == null ? "null" : "<omitted>") + ", audiences=" + audiences
          + ", audienceMatchPolicy=" + audienceMatchPolicy + "]";
    }
  }

  /** Exactly one of {@code claim} (+ {@code requiredValue}) or {@code expression} (+ {@code message}). */
  public record ClaimValidationRule(String claim, String requiredValue, String expression, String message) {}

  /** {@code claimMappings}. */
  public record ClaimMappings(
      PrefixedClaimOrExpression username,
      PrefixedClaimOrExpression groups,
      ClaimOrExpression uid,
      List<ExtraMapping> extra) {
    public ClaimMappings {
      extra = Lists.copy(extra);
    }
  }

  /**
   * {@code username} / {@code groups}. {@code prefix == null} (absent) differs from {@code ""} (no
   * prefix): absent takes this project's default (see {@code kubernetes-semantics.md}).
   */
  public record PrefixedClaimOrExpression(String claim, String prefix, String expression) {}

  /** {@code uid}. */
  public record ClaimOrExpression(String claim, String expression) {}

  /** {@code extra[i]}. */
  public record ExtraMapping(String key, String valueExpression) {}

  /** {@code userValidationRules[i]}. */
  public record UserValidationRule(String expression, String message) {}
}
