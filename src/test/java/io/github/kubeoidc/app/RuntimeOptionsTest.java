package io.github.kubeoidc.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.IssuerRouter;
import io.github.kubeoidc.token.Reason;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime flags reach the verifier: the system: guard switch and the token size limit. */
class RuntimeOptionsTest {
  @TempDir Path dir;

  AuthResult authenticate(RuntimeOptions options, DevIssuer issuer, String token) throws Exception {
    Path cfg = Configs.write(dir, "a.yaml", Configs.file(Configs.jwt(issuer, "k8s")));
    try (Wiring w = Wiring.build(ConfigLoader.load(cfg), options)) {
      w.loadKeysNow();
      return w.router().authenticate(token);
    }
  }

  static RuntimeOptions options(boolean guard, int maxTokenBytes) {
    return new RuntimeOptions(Clock.systemUTC(), IssuerAvailabilityTest.FAST, Duration.ZERO, guard, maxTokenBytes);
  }

  @Test
  void systemGuardIsOnByDefaultAndTheFlagTurnsItOff() throws Exception {
    try (DevIssuer issuer = DevIssuer.start()) {
      String token = issuer.mint(issuer.claims("k8s", "system:admin"));
      AuthResult.Rejected r = assertInstanceOf(AuthResult.Rejected.class,
          authenticate(options(true, IssuerRouter.DEFAULT_MAX_TOKEN_BYTES), issuer, token));
      assertEquals(Reason.SYSTEM_IDENTITY, r.reason());
      AuthResult.Authenticated a = assertInstanceOf(AuthResult.Authenticated.class,
          authenticate(options(false, IssuerRouter.DEFAULT_MAX_TOKEN_BYTES), issuer, token));
      assertEquals("system:admin", a.user().username());
    }
  }

  @Test
  void maxTokenBytesIsApplied() throws Exception {
    try (DevIssuer issuer = DevIssuer.start()) {
      String token = issuer.mint(issuer.claims("k8s", "jane"));
      assertEquals(Reason.TOKEN_TOO_LARGE, assertInstanceOf(AuthResult.Rejected.class,
          authenticate(options(true, token.length() - 1), issuer, token)).reason());
      assertInstanceOf(AuthResult.Authenticated.class, authenticate(options(true, token.length()), issuer, token));
    }
  }
}
