package io.github.kubeoidc.token;

import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimOrExpression;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimValidationRule;
import io.github.kubeoidc.config.JwtAuthenticator.Issuer;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import java.util.ArrayList;
import java.util.List;

/**
 * A fluent fixture for one {@code jwt[i]} entry, so that a table case reads
 * {@code issuer(URL).username("email", null).groups("groups", "oidc:")} instead of a page of records.
 *
 * <p>Defaults: audience {@code my-client}; username from claim {@code username} with prefix {@code ""}
 * (as a configuration file that spells the prefix out); no groups, uid or rules.
 */
final class IssuerSpec {
  private final String url;
  private List<String> audiences = List.of("my-client");
  private PrefixedClaimOrExpression username = new PrefixedClaimOrExpression("username", "", null);
  private PrefixedClaimOrExpression groups;
  private ClaimOrExpression uid;
  private final List<ClaimValidationRule> rules = new ArrayList<>();

  private IssuerSpec(String url) {
    this.url = url;
  }

  static IssuerSpec issuer(String url) {
    return new IssuerSpec(url);
  }

  IssuerSpec audiences(String... values) {
    this.audiences = List.of(values);
    return this;
  }

  /** {@code prefix == null} leaves {@code claimMappings.username.prefix} unset (our default applies). */
  IssuerSpec username(String claim, String prefix) {
    this.username = new PrefixedClaimOrExpression(claim, prefix, null);
    return this;
  }

  IssuerSpec groups(String claim, String prefix) {
    this.groups = new PrefixedClaimOrExpression(claim, prefix, null);
    return this;
  }

  IssuerSpec uid(String claim) {
    this.uid = new ClaimOrExpression(claim, null);
    return this;
  }

  /** A {@code claimValidationRules} entry {@code {claim, requiredValue}} (legacy {@code --oidc-required-claim}). */
  IssuerSpec requiredClaim(String claim, String requiredValue) {
    rules.add(new ClaimValidationRule(claim, requiredValue, null, null));
    return this;
  }

  JwtAuthenticator build() {
    String policy = audiences.size() > 1 ? "MatchAny" : null;
    return new JwtAuthenticator(
        new Issuer(url, null, null, audiences, policy, null),
        rules,
        new ClaimMappings(username, groups, uid, List.of()),
        List.of());
  }
}
