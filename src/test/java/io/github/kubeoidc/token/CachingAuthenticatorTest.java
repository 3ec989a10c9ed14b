package io.github.kubeoidc.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.kubeoidc.testing.MutableClock;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import io.github.kubeoidc.token.IssuerAuthenticatorTest.Case;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The answer cache changes how often tokens are verified, never what the answer is. */
class CachingAuthenticatorTest {
  static final Instant NOW = Instant.parse("2009-11-10T23:00:00Z");

  /** Every case of the verifier table, asked twice through the cache: both answers equal the uncached one. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.kubeoidc.token.IssuerAuthenticatorTest#cases")
  void sameAnswersWithAndWithoutTheCache(Case c) {
    String token = IssuerAuthenticatorTest.token(c);
    AuthResult uncached = IssuerAuthenticatorTest.router(c).authenticate(token);
    CachingAuthenticator cached = new CachingAuthenticator(IssuerAuthenticatorTest.router(c), Duration.ofMinutes(2),
        new MutableClock(NOW));
    assertEquals(uncached, cached.authenticate(token));
    assertEquals(uncached, cached.authenticate(token));
  }

  /** Answers a fixed result and counts calls. */
  static final class Counting implements TokenAuthenticator {
    final AtomicInteger calls = new AtomicInteger();
    volatile AuthResult answer;

    @Override
    public AuthResult authenticate(String token, StepListener listener) {
      calls.incrementAndGet();
      return answer;
    }
  }

  static Authenticated user(String issuer, Instant exp) {
    return new Authenticated(new UserInfo("jane", "", List.of(), java.util.Map.of()), issuer, exp);
  }

  @Test
  void authenticateWhenRepeatedThenVerifiesOnce() {
    Counting inner = new Counting();
    inner.answer = user("https://a", NOW.plusSeconds(3600));
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), new MutableClock(NOW));
    AuthResult first = c.authenticate("t1");
    assertSame(first, c.authenticate("t1"));
    assertEquals(1, inner.calls.get());
    c.authenticate("t2");
    assertEquals(2, inner.calls.get(), "another token is another entry");
  }

  @Test
  void authenticateWhenTtlPassesThenVerifiesAgain() {
    Counting inner = new Counting();
    inner.answer = user("https://a", NOW.plusSeconds(3600));
    MutableClock clock = new MutableClock(NOW);
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), clock);
    c.authenticate("t");
    clock.advance(Duration.ofSeconds(119));
    c.authenticate("t");
    assertEquals(1, inner.calls.get());
    clock.advance(Duration.ofSeconds(2));
    c.authenticate("t");
    assertEquals(2, inner.calls.get());
  }

  @Test
  void authenticateWhenTokenExpiresBeforeTtlThenNeverReusedPastExp() {
    Counting inner = new Counting();
    inner.answer = user("https://a", NOW.plusSeconds(30));
    MutableClock clock = new MutableClock(NOW);
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), clock);
    c.authenticate("t");
    clock.advance(Duration.ofSeconds(31));
    inner.answer = new AuthResult.Rejected(Reason.EXPIRED, "oidc: token is expired", "https://a");
    assertInstanceOf(AuthResult.Rejected.class, c.authenticate("t"));
    assertEquals(2, inner.calls.get());
  }

  @Test
  void authenticateWhenRejectedThenNeverCached() {
    Counting inner = new Counting();
    inner.answer = new AuthResult.Rejected(Reason.NOT_INITIALIZED, "oidc: authenticator not initialized", "https://a");
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), new MutableClock(NOW));
    c.authenticate("t");
    c.authenticate("t");
    assertEquals(2, inner.calls.get());
  }

  @Test
  void invalidateIssuerWhenKeysChangeThenItsAnswersAreVerifiedAgain() {
    Counting inner = new Counting();
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), new MutableClock(NOW));
    inner.answer = user("https://a", NOW.plusSeconds(3600));
    c.authenticate("ta");
    inner.answer = user("https://b", NOW.plusSeconds(3600));
    c.authenticate("tb");
    c.invalidateIssuer("https://a");
    c.authenticate("ta");
    c.authenticate("tb");
    assertEquals(3, inner.calls.get(), "only issuer a's entry was dropped");
  }

  @Test
  void authenticateWhenExplainingThenBypassesTheCache() {
    Counting inner = new Counting();
    inner.answer = user("https://a", NOW.plusSeconds(3600));
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), new MutableClock(NOW));
    c.authenticate("t");
    c.authenticate("t", (step, passed, detail) -> {});
    assertEquals(2, inner.calls.get());
  }
}
