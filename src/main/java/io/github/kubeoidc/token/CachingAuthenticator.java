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
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reuses the answer for a token that was verified recently, for at most {@code --cache-ttl} and never
 * past the token's {@code exp}. Only successes are cached: a rejection is always re-verified, so a
 * transient failure (issuer down, keys not loaded) never turns into minutes of 401s.
 *
 * <p>The cache never holds a token: entries are keyed by HMAC-SHA256 of the token under a random key made
 * at start (as kube-apiserver's cached token authenticator does), so a heap dump reveals no credential.
 */
public final class CachingAuthenticator implements TokenAuthenticator {
  /** Bounds memory: an entry is a few hundred bytes. */
  public static final long MAX_ENTRIES = 50_000;

  private final TokenAuthenticator delegate;
  private final Clock clock;
  private final Cache<Key, Authenticated> cache;
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
        // Expiry runs on the injected clock, so tests (and exp arithmetic) share one notion of time.
        .ticker(() -> {
          Instant i = clock.instant();
          return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        })
        .recordStats()
        .expireAfter(new Expiry<Key, Authenticated>() {
          @Override
          public long expireAfterCreate(Key k, Authenticated v, long now) {
            Duration untilExp = Duration.between(clock.instant(), v.expiresAt());
            return Math.max(0, (untilExp.compareTo(ttl) < 0 ? untilExp : ttl).toNanos());
          }

          @Override
          public long expireAfterUpdate(Key k, Authenticated v, long now, long current) {
            return expireAfterCreate(k, v, now);
          }

          @Override
          public long expireAfterRead(Key k, Authenticated v, long now, long current) {
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
    Authenticated hit = cache.getIfPresent(key);
    Instant now = clock.instant();
    if (hit != null && hit.expiresAt().isAfter(now)) {
      return hit;
    }
    AuthResult result = delegate.authenticate(token, listener);
    if (result instanceof Authenticated a && a.expiresAt().isAfter(now)) {
      cache.put(key, a);
    }
    return result;
  }

  /** Drops every answer from one issuer: its keys changed, so they are verified again. */
  public void invalidateIssuer(String issuer) {
    cache.asMap().values().removeIf(a -> a.issuer().equals(issuer));
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
