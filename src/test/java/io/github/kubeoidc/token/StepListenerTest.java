package io.github.kubeoidc.token;

import static io.github.kubeoidc.token.IssuerAuthenticatorTest.JANE;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.accept;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.claims;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.json;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.reject;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.spec;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import io.github.kubeoidc.token.AuthResult.Rejected;
import io.github.kubeoidc.token.IssuerAuthenticatorTest.Case;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@code check} prints: one line per pipeline step, never the token's signature. */
class StepListenerTest {

  record Step(String step, boolean passed, String detail) {}

  /** Records every step, in order. */
  static final class Recorder implements StepListener {
    final List<Step> steps = new ArrayList<>();

    @Override
    public void step(String step, boolean passed, String detail) {
      steps.add(new Step(step, passed, detail));
    }

    List<Step> failed() {
      return steps.stream().filter(s -> !s.passed()).toList();
    }

    List<String> names() {
      return steps.stream().map(Step::step).toList();
    }
  }

  /** The step that must report each rejection (exhaustive: a new Reason must be placed here). */
  static Set<String> failingStepFor(Reason reason) {
    return switch (reason) {
      case NOT_A_JWT, UNKNOWN_ISSUER, TOKEN_TOO_LARGE -> Set.of("route");
      case NOT_INITIALIZED -> Set.of("keys");
      case MALFORMED_TOKEN -> Set.of("header");
      case ALGORITHM_NOT_ALLOWED -> Set.of("algorithm");
      case KEY_NOT_FOUND -> Set.of("key");
      case INVALID_SIGNATURE -> Set.of("signature");
      case EXPIRED, NOT_YET_VALID -> Set.of("expiry");
      case INVALID_CLAIM -> Set.of("expiry", "audience");
      case ISSUER_MISMATCH -> Set.of("issuer");
      case AUDIENCE_MISMATCH -> Set.of("audience");
      case USERNAME_INVALID, EMAIL_NOT_VERIFIED -> Set.of("username");
      case GROUPS_INVALID, DISTRIBUTED_CLAIMS_FAILED -> Set.of("groups");
      case UID_INVALID -> Set.of("uid");
      case REQUIRED_CLAIM -> Set.of("claim rules");
      case EXTRA_INVALID -> Set.of("extra");
      case CLAIM_RULE_FAILED -> Set.of("claim expressions");
      case USER_RULE_FAILED -> Set.of("user rules");
      case SYSTEM_IDENTITY -> Set.of("system guard");
    };
  }

  /** Every case of the verifier table, observed through a listener. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.kubeoidc.token.IssuerAuthenticatorTest#cases")
  void steps(Case c) {
    String token = IssuerAuthenticatorTest.token(c);
    Recorder r = new Recorder();
    AuthResult got = IssuerAuthenticatorTest.router(c).authenticate(token, r);

    if (got instanceof Rejected rejected) {
      assertEquals(1, r.failed().size(), () -> "exactly one failing step: " + r.steps);
      Step failed = r.failed().get(0);
      assertTrue(failingStepFor(rejected.reason()).contains(failed.step()),
          () -> rejected.reason() + " reported by step " + failed.step());
      assertEquals(failed, r.steps.get(r.steps.size() - 1), "nothing runs after the failing step");
    } else {
      assertEquals(List.of(), r.failed());
    }

    // Not the signature, nor the start of it (quoted values are cut at 64 characters).
    String signature = Tokens.signaturePart(token);
    if (signature.length() >= 16) {
      String head = signature.substring(0, 16);
      for (Step s : r.steps) {
        assertFalse(s.detail().contains(head) || s.step().contains(head), () -> "step leaks the signature: " + s);
      }
    }
  }

  @Test
  void stepsWhenTokenValidThenEveryCheckPassesInPipelineOrder() {
    Recorder r = new Recorder();
    Case c = accept("valid", spec().groups("groups", "").uid("uid").requiredClaim("hd", "example.com"),
        claims(JANE + ",'groups':['team1'],'uid':'42','hd':'example.com'"), null);
    AuthResult got = IssuerAuthenticatorTest.router(c).authenticate(IssuerAuthenticatorTest.token(c), r);

    assertInstanceOf(Authenticated.class, got);
    assertEquals(List.of("route", "keys", "algorithm", "key", "signature", "expiry", "issuer", "audience",
        "username", "groups", "uid", "claim rules"), r.names());
    assertEquals(List.of(), r.failed());
    assertEquals(new Step("username", true, "\"jane\" from claim \"username\""), r.steps.get(8));
  }

  @Test
  void stepsWhenTokenExpiredThenOnlyTheExpiryStepFails() {
    Recorder r = new Recorder();
    Case c = reject("expired", spec(), json("{'iss':'" + IssuerAuthenticatorTest.ISSUER + "','aud':'my-client','exp':"
        + IssuerAuthenticatorTest.EXPIRED + "," + JANE + "}"), Reason.EXPIRED, null);
    IssuerAuthenticatorTest.router(c).authenticate(IssuerAuthenticatorTest.token(c), r);

    assertEquals(List.of("route", "keys", "algorithm", "key", "signature", "expiry"), r.names());
    assertEquals(List.of(new Step("expiry", false, "expired at 2009-11-10T22:00:00Z, now 2009-11-10T23:00:00Z")), r.failed());
  }

  @Test
  void stepsWhenSignatureInvalidThenTheSignatureStepFailsWithoutEchoingIt() {
    Recorder r = new Recorder();
    Case c = reject("invalid-signature", spec(), claims(JANE), Reason.INVALID_SIGNATURE, null)
        .signedBy(Tokens.withKid(IssuerAuthenticatorTest.RSA_2, "rsa-1"), JWSAlgorithm.RS256);
    String token = IssuerAuthenticatorTest.token(c);
    IssuerAuthenticatorTest.router(c).authenticate(token, r);

    assertEquals(List.of(new Step("signature", false, "no candidate key verifies the signature")), r.failed());
    assertTrue(r.steps.stream().noneMatch(s -> s.detail().contains(Tokens.signaturePart(token))));
  }

  @Test
  void stepsWhenIssuerUnknownThenOnlyTheRouteStepRuns() {
    Recorder r = new Recorder();
    Case c = reject("unknown", spec(), json("{'iss':'https://other.example.com','aud':'my-client','exp':"
        + IssuerAuthenticatorTest.VALID + "}"), Reason.UNKNOWN_ISSUER, "");
    IssuerAuthenticatorTest.router(c).authenticate(IssuerAuthenticatorTest.token(c), r);

    assertEquals(List.of(new Step("route", false,
        "iss \"https://other.example.com\" matches no configured issuer: not for this webhook")), r.steps);
  }

  @Test
  void stepsWhenUsernameMappedThenDetailNamesTheUser() {
    Recorder r = new Recorder();
    Case c = accept("prefixed", spec().username("username", "oidc:"), claims(JANE), user("oidc:jane"));
    IssuerAuthenticatorTest.router(c).authenticate(IssuerAuthenticatorTest.token(c), r);

    assertTrue(r.steps.contains(new Step("username", true, "\"oidc:jane\" from claim \"username\" with prefix \"oidc:\"")),
        () -> r.steps.toString());
  }
}
