package io.github.kubeoidc.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.testing.MutableClock;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import io.github.kubeoidc.token.IssuerAuthenticatorTest.Case;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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

  /** Rejections that can turn by themselves, or cost less than an entry: verified every time. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Reason.class, names = {"NOT_INITIALIZED", "KEY_NOT_FOUND", "NOT_YET_VALID",
      "DISTRIBUTED_CLAIMS_FAILED", "NOT_A_JWT", "UNKNOWN_ISSUER", "TOKEN_TOO_LARGE", "MALFORMED_TOKEN", "ALGORITHM_NOT_ALLOWED"})
  void authenticateWhenRejectedTransientlyOrCheaplyThenNeverCached(Reason reason) {
    Counting inner = new Counting();
    inner.answer = new AuthResult.Rejected(reason, "oidc: " + reason, "https://a");
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), new MutableClock(NOW));
    c.authenticate("t");
    c.authenticate("t");
    assertEquals(2, inner.calls.get());
  }

  /** Every reason is either cached as a deterministic rejection or listed above: a new reason must choose. */
  @Test
  void everyReasonIsClassified() {
    java.util.Set<Reason> transientOrCheap = java.util.EnumSet.of(Reason.NOT_INITIALIZED, Reason.KEY_NOT_FOUND,
        Reason.NOT_YET_VALID, Reason.DISTRIBUTED_CLAIMS_FAILED, Reason.NOT_A_JWT, Reason.UNKNOWN_ISSUER,
        Reason.TOKEN_TOO_LARGE, Reason.MALFORMED_TOKEN, Reason.ALGORITHM_NOT_ALLOWED);
    for (Reason r : Reason.values()) {
      assertTrue(CachingAuthenticator.CACHED_REJECTIONS.contains(r) != transientOrCheap.contains(r), r.name());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Reason.class, names = {"INVALID_SIGNATURE", "EXPIRED", "AUDIENCE_MISMATCH", "CLAIM_RULE_FAILED",
      "USER_RULE_FAILED", "SYSTEM_IDENTITY"})
  void authenticateWhenRejectedDeterministicallyThenReusedForTenSeconds(Reason reason) {
    Counting inner = new Counting();
    AuthResult.Rejected no = new AuthResult.Rejected(reason, "oidc: " + reason, "https://a");
    inner.answer = no;
    MutableClock clock = new MutableClock(NOW);
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), clock);
    assertSame(no, c.authenticate("t"));
    clock.advance(Duration.ofSeconds(9));
    assertSame(no, c.authenticate("t"));
    assertEquals(1, inner.calls.get(), "a burst of the same bad token costs one verification");
    clock.advance(Duration.ofSeconds(2));
    c.authenticate("t");
    assertEquals(2, inner.calls.get(), "after " + CachingAuthenticator.NEGATIVE_TTL + " it is verified again");
  }

  @Test
  void negativeEntriesNeverOutliveAShorterCacheTtl() {
    Counting inner = new Counting();
    inner.answer = new AuthResult.Rejected(Reason.INVALID_SIGNATURE, "oidc: failed to verify signature", "https://a");
    MutableClock clock = new MutableClock(NOW);
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofSeconds(3), clock);
    c.authenticate("t");
    clock.advance(Duration.ofSeconds(4));
    c.authenticate("t");
    assertEquals(2, inner.calls.get());
  }

  @Test
  void invalidateIssuerWhenKeysChangeThenItsRejectionsAreVerifiedAgain() {
    Counting inner = new Counting();
    CachingAuthenticator c = new CachingAuthenticator(inner, Duration.ofMinutes(2), new MutableClock(NOW));
    inner.answer = new AuthResult.Rejected(Reason.INVALID_SIGNATURE, "oidc: failed to verify signature", "https://a");
    c.authenticate("signed-by-a-new-key");
    c.invalidateIssuer("https://a"); // the issuer published the new key
    inner.answer = user("https://a", NOW.plusSeconds(3600));
    assertInstanceOf(Authenticated.class, c.authenticate("signed-by-a-new-key"));
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
