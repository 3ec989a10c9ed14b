package io.github.kubeoidc.config;

import io.github.kubeoidc.cel.CompiledRules;
import java.util.List;

/**
 * What the verifier runs on, whichever way it was configured: the authenticators (from a file, or built
 * from the legacy {@code --oidc-*} flags) and the JWS algorithms tokens may be signed with.
 *
 * @param rules the compiled CEL expressions of each authenticator, same order
 * @param source where it came from, for log lines: a file path or {@code "--oidc-* flags"}
 */
public record WebhookConfig(
    List<JwtAuthenticator> authenticators, List<CompiledRules> rules, List<String> signingAlgorithms, String source) {

  /**
   * With a configuration file kube-apiserver accepts these nine; we do the same. Never {@code none} or
   * HMAC: a public key would then be a shared secret anyone can sign with.
   */
  public static final List<String> ALL_ASYMMETRIC_ALGORITHMS =
      List.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512");

  public WebhookConfig {
    authenticators = List.copyOf(authenticators);
    rules = List.copyOf(rules);
    if (rules.size() != authenticators.size()) {
      throw new IllegalArgumentException("one CompiledRules per authenticator required");
    }
    signingAlgorithms = List.copyOf(signingAlgorithms);
  }
}
