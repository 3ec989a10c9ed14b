package io.github.kubeoidc.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reuses the answer for a token that was verified recently: a success for at most {@code --cache-ttl} and never
 * past the token's {@code exp}; a rejection for at most {@link #NEGATIVE_TTL}, and only a rejection that is
 * <em>deterministic</em> (the same token gets it again while the configuration and the issuer's keys stay, which
 * clear the cache when they change) and <em>costly</em> (reached only after the signature check: a burst of the
 * same bad token, which kube-apiserver does not cache because it carries an error, costs one verification, not
 * one per request). Rejections that can turn by themselves (keys not loaded, a {@code kid} not fetched yet, a
 * token not yet valid, a distributed claim that failed) are never cached, so a transient failure never turns
 * into 401s that outlive it; cheap ones (not a JWT, unknown issuer, a bad header) are not worth an entry.
 *
 * <p>The cache never holds a token: entries are keyed by HMAC-SHA256 of the token under a random key made
 * at start (as kube-apiserver's cached token authenticator does), so a heap dump reveals no credential.
 */
public final class CachingAuthenticator implements TokenAuthenticator {
  /** Bounds memory: an entry is a few hundred bytes. */
  public static final long MAX_ENTRIES = 50_000;

  /** How long a deterministic rejection is reused (never longer than the cache TTL). */
  public static final Duration NEGATIVE_TTL = Duration.ofSeconds(10);

  /** Rejections decided after the signature check by the token, the configuration and the keys alone. */
  static final Set<Reason> CACHED_REJECTIONS = Collections.unmodifiableSet(EnumSet.of(
      Reason.INVALID_SIGNATURE, Reason.EXPIRED, Reason.INVALID_CLAIM, Reason.ISSUER_MISMATCH, Reason.AUDIENCE_MISMATCH,
      Reason.USERNAME_INVALID, Reason.EMAIL_NOT_VERIFIED, Reason.GROUPS_INVALID, Reason.UID_INVALID,
      Reason.REQUIRED_CLAIM, Reason.EXTRA_INVALID, Reason.CLAIM_RULE_FAILED, Reason.USER_RULE_FAILED,
      Reason.SYSTEM_IDENTITY));

  private final TokenAuthenticator delegate;
  private final Clock clock;
  private final Cache<Key, AuthResult> cache;
  private final SecretKeySpec hmacKey;
  private final ThreadLocal<Mac> macs;

  /** Its cache is {@link #stats()}-able for metrics. */
  public CachingAuthenticator(TokenAuthenticator delegate, Duration ttl, Clock clock) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive: " + ttl);
    }
    this.delegate = delegate;
    this.clock = clock;
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.hmacKey = new SecretKeySpec(secret, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
    this.cache = Caffeine.newBuilder()
        .maximumSize(MAX_ENTRIES)
        // Caffeine's upkeep (draining its read buffer, evicting, expiring) runs on the calling thread, amortised,
        // instead of being handed to the common pool: with one hot token that hand-off woke a pool thread every
        // few dozen reviews, a context switch each on a busy core (README, Performance).
        .executor(Runnable::run)
        // Expiry runs on the injected clock, so tests (and exp arithmetic) share one notion of time.
        .ticker(() -> {
          Instant i = clock.instant();
          return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        })
        .recordStats()
        .expireAfter(new Expiry<Key, AuthResult>() {
          @Override
          public long expireAfterCreate(Key k, AuthResult v, long now) {
            if (!(v instanceof Authenticated a)) {
              return (NEGATIVE_TTL.compareTo(ttl) < 0 ? NEGATIVE_TTL : ttl).toNanos();
            }
            Duration untilExp = Duration.between(clock.instant(), a.expiresAt());
            return Math.max(0, (untilExp.compareTo(ttl) < 0 ? untilExp : ttl).toNanos());
          }

          @Override
          public long expireAfterUpdate(Key k, AuthResult v, long now, long current) {
            return expireAfterCreate(k, v, now);
          }

          @Override
          public long expireAfterRead(Key k, AuthResult v, long now, long current) {
            return current;
          }
        })
        .build();
  }

  /**
   * 256 bits of HMAC output: collisions are not a concern. Hand-written equals and hashCode: a record's generated
   * ones go through an invokedynamic bootstrap that showed in the per-request profile.
   */
  private static final class Key {
    private final long a;
    private final long b;
    private final long c;
    private final long d;

    Key(long a, long b, long c, long d) {
      this.a = a;
      this.b = b;
      this.c = c;
      this.d = d;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && a == k.a && b == k.b && c == k.c && d == k.d;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(a); // already uniformly random bits
    }
  }

  @Override
  public AuthResult authenticate(String token, StepListener listener) {
    if (listener != StepListener.NONE) {
      return delegate.authenticate(token, listener); // an explanation always runs every step
    }
    Key key = key(token);
    AuthResult hit = cache.getIfPresent(key);
    Instant now = clock.instant();
    if (hit instanceof Authenticated a ? a.expiresAt().isAfter(now) : hit != null) {
      return hit;
    }
    AuthResult result = delegate.authenticate(token, listener);
    if (result instanceof Authenticated a ? a.expiresAt().isAfter(now)
        : CACHED_REJECTIONS.contains(((AuthResult.Rejected) result).reason())) {
      cache.put(key, result);
    }
    return result;
  }

  /** Drops every answer from one issuer: its keys changed, so they are verified again. */
  public void invalidateIssuer(String issuer) {
    cache.asMap().values().removeIf(r -> issuer.equals(r instanceof Authenticated a ? a.issuer() : ((AuthResult.Rejected) r).issuer()));
  }

  /** Drops everything: the configuration changed. */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  public Cache<?, ?> cache() {
    return cache;
  }

  private Key key(String token) {
    Mac mac = macs.get();
    // UTF-8: one byte sequence per string (a token is any string until routed), and a plain copy for ASCII.
    byte[] h = mac.doFinal(token.getBytes(StandardCharsets.UTF_8));
    return new Key(longAt(h, 0), longAt(h, 8), longAt(h, 16), longAt(h, 24));
  }

  private static long longAt(byte[] b, int i) {
    long v = 0;
    for (int k = 0; k < 8; k++) {
      v = (v << 8) | (b[i + k] & 0xff);
    }
    return v;
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(hmacKey);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
