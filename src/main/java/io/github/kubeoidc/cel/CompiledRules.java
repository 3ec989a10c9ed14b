package io.github.kubeoidc.cel;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every CEL expression of one {@code jwt} authenticator, compiled once at load (Kubernetes' CELMapper).
 * A null mapping means that mapping uses a {@code claim}, or is absent.
 */
public record CompiledRules(
    List<Rule> claimValidationRules,
    CompiledExpression username,
    CompiledExpression groups,
    CompiledExpression uid,
    List<Extra> extra,
    List<Rule> userValidationRules) {

  /** No expressions at all. */
  public static final CompiledRules NONE = new CompiledRules(List.of(), null, null, null, List.of(), List.of());

  /** A validation rule and its configured message ("" when none). */
  public record Rule(CompiledExpression expression, String message) {}

  /** An extra mapping: the key and its value expression. */
  public record Extra(String key, CompiledExpression expression) {}

  public CompiledRules {
    claimValidationRules = List.copyOf(claimValidationRules);
    extra = List.copyOf(extra);
    userValidationRules = List.copyOf(userValidationRules);
  }

  /** True when any expression reads {@code claims}: only then is the CEL input built per token. */
  public boolean readsClaims() {
    return username != null || groups != null || uid != null || !extra.isEmpty() || !claimValidationRules.isEmpty();
  }

  /** Escaped names any expression selects, at any depth, mapped to the real member names. */
  public Map<String, String> escapedClaims() {
    Map<String, String> all = new HashMap<>();
    claimValidationRules.forEach(r -> all.putAll(r.expression().escapedClaims()));
    extra.forEach(e -> all.putAll(e.expression().escapedClaims()));
    for (CompiledExpression e : new CompiledExpression[] {username, groups, uid}) {
      if (e != null) {
        all.putAll(e.escapedClaims());
      }
    }
    return all;
  }
}
