package io.github.kubeoidc.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.config.ConfigValidator;
import io.github.kubeoidc.config.WebhookConfig;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.StaticKeySource;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The system: guard (ours; kubernetes-semantics.md): an IdP's claims never yield a system: username or
 * group; the operator's CEL expressions pass untouched; userValidationRules run first and see the token's
 * values; a flag turns the guard off.
 */
class SystemGuardTest {
  static final String ISSUER = "https://auth.example.com";
  static final RSAKey KEY = Tokens.rsa("guard");

  /** {@code mappings} and {@code rules} are YAML lines under the jwt entry; {@code wantGroups} null: rejected. */
  record Case(String name, String mappings, String rules, boolean guard, String claims, String wantUser,
      List<String> wantGroups, Reason wantReason, String wantError) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case ok(String name, String mappings, String claims, String wantUser, List<String> wantGroups) {
    return new Case(name, mappings, "", true, claims, wantUser, wantGroups, null, null);
  }

  static Case rejected(String name, String mappings, String rules, boolean guard, String claims, Reason reason, String error) {
    return new Case(name, mappings, rules, guard, claims, null, null, reason, error);
  }

  static Stream<Case> cases() {
    String claimMappings = "    username: {claim: sub, prefix: \"\"}\n    groups: {claim: groups, prefix: \"\"}\n";
    String prefixed = "    username: {claim: sub, prefix: \"oidc:\"}\n    groups: {claim: groups, prefix: \"oidc:\"}\n";
    String expressions = "    username: {expression: \"'system:serviceaccount:' + claims.sub\"}\n"
        + "    groups: {expression: \"claims.groups\"}\n";
    return Stream.of(
        rejected("system-username-from-claim-rejected", claimMappings, "", true,
            "'sub':'system:kube-controller-manager'", Reason.SYSTEM_IDENTITY,
            "oidc: username \"system:kube-controller-manager\" from a claim is in the reserved system: namespace"),
        ok("system-groups-from-claim-dropped", claimMappings, "'sub':'jane','groups':['system:masters','dev','system:nodes']",
            "jane", List.of("dev")),
        ok("prefixed-claims-never-in-system", prefixed, "'sub':'system:admin','groups':['system:masters']",
            "oidc:system:admin", List.of("oidc:system:masters")),
        ok("expressions-are-the-operators-and-pass", expressions, "'sub':'ns:robot','groups':['system:masters']",
            "system:serviceaccount:ns:robot", List.of("system:masters")),
        new Case("guard-off-lets-claims-through", claimMappings, "", false, "'sub':'system:admin','groups':['system:masters']",
            "system:admin", List.of("system:masters"), null, null),
        rejected("user-rules-run-first-and-see-the-tokens-groups", claimMappings,
            "  userValidationRules:\n  - expression: \"!('system:masters' in user.groups)\"\n    message: no masters\n", true,
            "'sub':'jane','groups':['system:masters']", Reason.USER_RULE_FAILED,
            "oidc: error evaluating user info validation rule: validation expression "
                + "'!('system:masters' in user.groups)' failed: no masters"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void guard(Case c) throws Exception {
    String yaml = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n"
        + "- issuer: {url: \"" + ISSUER + "\", audiences: [k8s]}\n  claimMappings:\n" + c.mappings() + c.rules();
    ConfigValidator.Validated v = ConfigValidator.validateFile(ConfigLoader.parse(yaml, c.name()));
    IssuerAuthenticator a = new IssuerAuthenticator(ConfigLoader.parse(yaml, c.name()).jwt().get(0), v.rules().get(0),
        WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS, new StaticKeySource(ISSUER, List.of(KEY.toPublicJWK())),
        IssuerAuthenticatorTest.CLOCK);
    a.guardSystemIdentities(c.guard());
    IssuerRouter router = new IssuerRouter(List.of(a), IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
    String claims = IssuerAuthenticatorTest.json("{'iss':'" + ISSUER + "','aud':'k8s','exp':" + IssuerAuthenticatorTest.VALID
        + "," + c.claims() + "}");
    AuthResult r = router.authenticate(DevIssuer.sign(KEY, JWSAlgorithm.RS256, KEY.getKeyID(), claims));
    if (c.wantReason() != null) {
      AuthResult.Rejected rej = assertInstanceOf(AuthResult.Rejected.class, r, r.toString());
      assertEquals(c.wantReason() + ": " + c.wantError(), rej.reason() + ": " + rej.detail());
      return;
    }
    AuthResult.Authenticated ok = assertInstanceOf(AuthResult.Authenticated.class, r, r.toString());
    assertEquals(c.wantUser(), ok.user().username());
    assertEquals(c.wantGroups(), ok.user().groups());
    long dropped = c.name().equals("system-groups-from-claim-dropped") ? 2 : 0;
    assertEquals(dropped, a.droppedSystemGroups(), "dropped groups are counted for the metric");
  }
}
