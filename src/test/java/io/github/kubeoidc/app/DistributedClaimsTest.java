package io.github.kubeoidc.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.Reason;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Distributed groups claims (OIDC Core §5.6.2) fetched from a real HTTPS endpoint and verified. */
class DistributedClaimsTest {
  @TempDir static Path dir;
  static DevIssuer issuer;
  static Wiring wiring;

  @BeforeAll
  static void start() throws Exception {
    issuer = DevIssuer.start();
    Path cfg = Configs.write(dir, "a.yaml", Configs.file(Configs.jwt(issuer, "k8s")));
    wiring = Wiring.build(ConfigLoader.load(cfg), Clock.systemUTC(), IssuerAvailabilityTest.FAST);
    wiring.loadKeysNow();
  }

  @AfterAll
  static void stop() {
    wiring.close();
    issuer.close();
  }

  /** A token without groups whose _claim_names sends "groups" to {@code endpoint}. */
  static String tokenPointingAt(String endpoint, String accessToken) {
    Map<String, Object> c = issuer.claims("k8s", "jane");
    c.put("_claim_names", Map.of("groups", "src1"));
    Map<String, Object> src = new java.util.LinkedHashMap<>();
    src.put("endpoint", endpoint);
    if (accessToken != null) {
      src.put("access_token", accessToken);
    }
    c.put("_claim_sources", Map.of("src1", src));
    return issuer.mint(c);
  }

  static String claimsJwt(String audience, Object groups) {
    Map<String, Object> c = issuer.claims(audience, "jane");
    if (groups != null) {
      c.put("groups", groups);
    }
    return issuer.mint(c);
  }

  @Test
  void groupsComeFromTheSourceWithTheBearerToken() {
    String ep = issuer.serveClaims("ok", claimsJwt("k8s", List.of("g1", "g2")), "s3cret");
    AuthResult r = wiring.router().authenticate(tokenPointingAt(ep, "s3cret"));
    AuthResult.Authenticated a = assertInstanceOf(AuthResult.Authenticated.class, r, r.toString());
    assertEquals(List.of("g1", "g2"), a.user().groups());
  }

  @Test
  void aWrongBearerIsARejectionNamingTheStatus() {
    String ep = issuer.serveClaims("guarded", claimsJwt("k8s", List.of("g1")), "s3cret");
    AuthResult.Rejected r = assertInstanceOf(AuthResult.Rejected.class, wiring.router().authenticate(tokenPointingAt(ep, "wrong")));
    assertEquals(Reason.DISTRIBUTED_CLAIMS_FAILED, r.reason());
    assertEquals("oidc: could not expand distributed claims: while getting distributed claim \"groups\": fetching " + ep
        + ": HTTP 401", r.detail());
  }

  @Test
  void aSourceJwtForAnotherAudienceIsRejected() {
    String ep = issuer.serveClaims("aud", claimsJwt("someone-else", List.of("g1")), null);
    AuthResult.Rejected r = assertInstanceOf(AuthResult.Rejected.class, wiring.router().authenticate(tokenPointingAt(ep, null)));
    assertEquals("oidc: could not expand distributed claims: verify distributed claim token: "
        + "oidc: expected audience in [\"k8s\"] got [\"someone-else\"]", r.detail());
  }

  @Test
  void aSourceJwtWithoutTheClaimIsRejected() {
    String ep = issuer.serveClaims("empty", claimsJwt("k8s", null), null);
    AuthResult.Rejected r = assertInstanceOf(AuthResult.Rejected.class, wiring.router().authenticate(tokenPointingAt(ep, null)));
    assertEquals("oidc: could not expand distributed claims: jwt returned by distributed claim endpoint \"" + ep
        + "\" did not contain claim: groups", r.detail());
  }

  @Test
  void aSourceAnsweringSomethingElseThanAJwtIsRejected() {
    String ep = issuer.serveClaims("garbage", "{\"groups\":[\"admin\"]}", null);
    AuthResult.Rejected r = assertInstanceOf(AuthResult.Rejected.class, wiring.router().authenticate(tokenPointingAt(ep, null)));
    assertEquals(Reason.DISTRIBUTED_CLAIMS_FAILED, r.reason());
  }

  @Test
  void aPlainHttpEndpointIsRefused() {
    AuthResult.Rejected r = assertInstanceOf(AuthResult.Rejected.class,
        wiring.router().authenticate(tokenPointingAt("http://127.0.0.1:1/claims", null)));
    assertEquals("oidc: could not expand distributed claims: endpoint \"http://127.0.0.1:1/claims\" is not https", r.detail());
  }

  @Test
  void aTokenWithTheClaimItselfIsNotExpanded() {
    Map<String, Object> c = issuer.claims("k8s", "jane");
    c.put("groups", List.of("direct"));
    c.put("_claim_names", Map.of("groups", "src1"));
    c.put("_claim_sources", Map.of("src1", Map.of("endpoint", "https://127.0.0.1:1/never-called")));
    AuthResult.Authenticated a = assertInstanceOf(AuthResult.Authenticated.class, wiring.router().authenticate(issuer.mint(c)));
    assertEquals(List.of("direct"), a.user().groups());
  }

  @Test
  void claimNamesWithoutSourcesIsRejected() {
    Map<String, Object> c = issuer.claims("k8s", "jane");
    c.put("_claim_names", Map.of("groups", "src1"));
    AuthResult.Rejected r = assertInstanceOf(AuthResult.Rejected.class, wiring.router().authenticate(issuer.mint(c)));
    assertEquals("oidc: could not expand distributed claims: oidc: no claim sources", r.detail());
  }
}
