package io.github.kubeoidc.token;

import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimOrExpression;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimValidationRule;
import io.github.kubeoidc.config.JwtAuthenticator.ExtraMapping;
import io.github.kubeoidc.config.JwtAuthenticator.Issuer;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import io.github.kubeoidc.config.JwtAuthenticator.UserValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * A fluent fixture for one {@code jwt[i]} entry, so that a table case reads
 * {@code issuer(URL).username("email", null).groups("groups", "oidc:")} instead of a page of records.
 *
 * <p>Defaults: audience {@code my-client}; username from claim {@code username} with prefix {@code ""}
 * (as a configuration file that spells the prefix out); no groups, uid, extra or rules. The expression
 * setters mirror the file's {@code expression}/{@code valueExpression} fields; compiling them is left to
 * the real validation path ({@code ConfigValidator.validate}).
 */
final class IssuerSpec {
  private final String url;
  private List<String> audiences = List.of("my-client");
  private PrefixedClaimOrExpression username = new PrefixedClaimOrExpression("username", "", null);
  private PrefixedClaimOrExpression groups;
  private ClaimOrExpression uid;
  private final List<ClaimValidationRule> rules = new ArrayList<>();
  private final List<ExtraMapping> extra = new ArrayList<>();
  private final List<UserValidationRule> userRules = new ArrayList<>();

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

  /** {@code claimMappings.username.expression} (no prefix: one is forbidden with an expression). */
  IssuerSpec usernameExpression(String expression) {
    this.username = new PrefixedClaimOrExpression(null, null, expression);
    return this;
  }

  IssuerSpec groupsExpression(String expression) {
    this.groups = new PrefixedClaimOrExpression(null, null, expression);
    return this;
  }

  IssuerSpec uidExpression(String expression) {
    this.uid = new ClaimOrExpression(null, expression);
    return this;
  }

  /** A {@code claimMappings.extra} entry. */
  IssuerSpec extra(String key, String valueExpression) {
    extra.add(new ExtraMapping(key, valueExpression));
    return this;
  }

  /** A {@code claimValidationRules} entry {@code {expression, message}}. */
  IssuerSpec claimRule(String expression, String message) {
    rules.add(new ClaimValidationRule(null, null, expression, message));
    return this;
  }

  /** A {@code userValidationRules} entry. */
  IssuerSpec userRule(String expression, String message) {
    userRules.add(new UserValidationRule(expression, message));
    return this;
  }

  JwtAuthenticator build() {
    String policy = audiences.size() > 1 ? "MatchAny" : null;
    return new JwtAuthenticator(
        new Issuer(url, null, null, audiences, policy, null),
        rules,
        new ClaimMappings(username, groups, uid, extra),
        userRules);
  }
}
