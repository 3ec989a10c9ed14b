package io.github.kubeoidc.config;

import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimValidationRule;
import io.github.kubeoidc.config.JwtAuthenticator.Issuer;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-apiserver's legacy {@code --oidc-*} flags, turned into the same model a configuration file gives
 * (as {@code pkg/kubeapiserver/options/authentication.go} does). Null means the flag was not given.
 */
public record LegacyFlags(
    String issuerUrl,
    String clientId,
    Path caFile,
    String usernameClaim,
    String usernamePrefix,
    String groupsClaim,
    String groupsPrefix,
    List<String> requiredClaims,
    List<String> signingAlgs) {

  public static final String DEFAULT_USERNAME_CLAIM = "sub";
  public static final List<String> DEFAULT_SIGNING_ALGS = List.of("RS256");

  public LegacyFlags {
    requiredClaims = Lists.copy(requiredClaims);
    signingAlgs = Lists.copy(signingAlgs);
  }

  /** True when any {@code --oidc-*} flag was given. */
  public boolean anySet() {
    return issuerUrl != null || clientId != null || caFile != null || usernameClaim != null
        || usernamePrefix != null || groupsClaim != null || groupsPrefix != null
        || !requiredClaims.isEmpty() || !signingAlgs.isEmpty();
  }

  /** Builds and validates the single-issuer configuration, or throws naming each bad flag. */
  public WebhookConfig toWebhookConfig() throws ConfigException {
    List<FieldError> errs = new ArrayList<>();
    if (isEmpty(issuerUrl) || isEmpty(clientId)) {
      errs.add(FieldError.required(FieldPath.root(isEmpty(issuerUrl) ? "--oidc-issuer-url" : "--oidc-client-id"),
          "--oidc-issuer-url and --oidc-client-id must be specified together"));
    }
    String ca = null;
    if (caFile != null) {
      try {
        ca = Files.readString(caFile, StandardCharsets.UTF_8);
      } catch (IOException e) {
        errs.add(FieldError.invalid(FieldPath.root("--oidc-ca-file"), caFile.toString(), "cannot read: " + e));
      }
    }
    List<String> algs = signingAlgs.isEmpty() ? DEFAULT_SIGNING_ALGS : signingAlgs;
    for (String alg : algs) {
      if (!WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS.contains(alg)) {
        errs.add(FieldError.notSupported(FieldPath.root("--oidc-signing-algs"), alg,
            "supported values: " + WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS));
      }
    }
    Map<String, String> required = new LinkedHashMap<>();
    for (String kv : requiredClaims) {
      // As kube-apiserver's flag (cliflag.MapStringString): split at the first '=', trim key and value.
      int eq = kv.indexOf('=');
      String key = eq < 0 ? "" : kv.substring(0, eq).strip();
      if (key.isEmpty()) {
        errs.add(FieldError.invalid(FieldPath.root("--oidc-required-claim"), kv, "must be key=value"));
      } else {
        required.put(key, kv.substring(eq + 1).strip());
      }
    }
    if (!errs.isEmpty()) {
      throw new ConfigException(errs);
    }

    String userClaim = isEmpty(usernameClaim) ? DEFAULT_USERNAME_CLAIM : usernameClaim;
    List<ClaimValidationRule> rules = new ArrayList<>();
    required.forEach((k, v) -> rules.add(new ClaimValidationRule(k, v, null, null)));
    JwtAuthenticator a = new JwtAuthenticator(
        new Issuer(issuerUrl, null, ca, List.of(clientId), null, null),
        rules,
        new ClaimMappings(
            new PrefixedClaimOrExpression(userClaim, usernamePrefix(issuerUrl, userClaim, usernamePrefix), null),
            isEmpty(groupsClaim) ? null
                : new PrefixedClaimOrExpression(groupsClaim, groupsPrefix == null ? "" : groupsPrefix, null),
            null,
            List.of()),
        List.of());
    ConfigValidator.Validated v = ConfigValidator.validate(List.of(a), FieldPath.root("--oidc-*"));
    if (!v.errors().isEmpty()) {
      throw new ConfigException(v.errors().stream().map(LegacyFlags::toFlagError).toList());
    }
    return new WebhookConfig(List.of(a), v.rules(), algs, "--oidc-* flags");
  }

  /**
   * The legacy prefix rule: unset or {@code ""} means {@code ISSUER#} unless the claim is {@code email},
   * {@code -} means none, anything else is used verbatim.
   */
  static String usernamePrefix(String issuerUrl, String claim, String flag) {
    if (isEmpty(flag)) {
      return "email".equals(claim) ? "" : issuerUrl + "#";
    }
    return "-".equals(flag) ? "" : flag;
  }

  /** Renames model paths to the flag a user typed. */
  private static FieldError toFlagError(FieldError e) {
    String p = e.field().path();
    String flag = p.contains("issuer.url") ? "--oidc-issuer-url"
        : p.contains("audiences") ? "--oidc-client-id"
        : p.contains("certificateAuthority") ? "--oidc-ca-file"
        : p.contains("username") ? "--oidc-username-claim"
        : p.contains("groups") ? "--oidc-groups-claim"
        : p.contains("claimValidationRules") ? "--oidc-required-claim"
        : p;
    return new FieldError(FieldPath.root(flag), e.type(), e.value(), e.detail());
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }
}
