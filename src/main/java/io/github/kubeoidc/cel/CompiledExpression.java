package io.github.kubeoidc.cel;

import dev.cel.runtime.CelRuntime;
import java.util.Set;

/**
 * One expression, compiled and type-checked once at load; evaluated per token by {@link CelEnv#evaluate}.
 *
 * @param source the expression as configured (used verbatim in messages, as Kubernetes does)
 * @param escapedClaims escaped names it selects at any depth ({@code claims.foo__dot__bar},
 *     {@code claims.a.b__dash__c}), mapped to the real member names
 * @param claimsUsed every {@code claims.x} / {@code claims.?x} field it selects, for load-time checks
 */
public record CompiledExpression(
    String source, CelRuntime.Program program, java.util.Map<String, String> escapedClaims, Set<String> claimsUsed) {

  public CompiledExpression {
    escapedClaims = java.util.Map.copyOf(escapedClaims);
    claimsUsed = Set.copyOf(claimsUsed);
  }
}
