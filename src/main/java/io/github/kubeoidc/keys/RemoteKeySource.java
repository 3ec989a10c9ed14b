package io.github.kubeoidc.keys;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An issuer's keys from OIDC discovery ({@code /.well-known/openid-configuration}) and its JWKS.
 *
 * <ul>
 *   <li>Loading starts in the background at {@link #start()}; until it succeeds the issuer is not ready
 *       and it is retried with capped exponential backoff, while other issuers serve.
 *   <li>After a success the JWKS is refetched when its {@code Cache-Control: max-age} runs out (bounded
 *       by {@link Settings}), so a key the issuer drops stops being accepted.
 *   <li>A token with an unknown {@code kid} triggers a refetch at once (unlike kube-apiserver, which
 *       waits for the cache to age: kubernetes/kubernetes#139769). Concurrent callers share one fetch and
 *       fetches are at least {@link Settings#minRefreshInterval()} apart, so bogus kids cannot flood the
 *       issuer.
 *   <li>A failed refetch keeps the last good keys.
 * </ul>
 */
public final class RemoteKeySource implements KeySource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeySource.class);
  private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d{1,10})");

  /** Timing knobs; defaults in {@link #DEFAULTS}. */
  public record Settings(
      Duration initialBackoff, Duration maxBackoff, Duration minRefreshInterval,
      Duration minKeyLifetime, Duration maxKeyLifetime, Duration defaultKeyLifetime) {}

  /** Retry 0.5 s doubling to 30 s; at most one unknown-kid refetch per 5 s; JWKS kept 1 min to 1 h (5 min without max-age). */
  public static final Settings DEFAULTS = new Settings(
      Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(5),
      Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(5));

  private final String issuer;
  private final URI discoveryUrl;
  private final IssuerHttp http;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Settings settings;

  private volatile KeySet keys;
  private volatile URI jwksUri;
  private volatile Instant lastSuccess;
  private volatile String lastError = "keys not fetched yet";
  private final AtomicLong failures = new AtomicLong();

  private final Object lock = new Object();
  private Instant lastAttempt = Instant.MIN; // guarded by lock
  private ScheduledFuture<?> next; // guarded by lock
  private Duration backoff; // guarded by lock
  private volatile boolean closed;
  private volatile Runnable onKeysChanged = () -> {};

  /**
   * @param discoveryUrl {@code issuer.discoveryURL}, or null for {@code issuer + "/.well-known/openid-configuration"}
   */
  public RemoteKeySource(String issuer, String discoveryUrl, IssuerHttp http, Clock clock,
      ScheduledExecutorService scheduler, Settings settings) {
    this.issuer = issuer;
    this.discoveryUrl = URI.create(discoveryUrl != null && !discoveryUrl.isEmpty() ? discoveryUrl
        : stripTrailingSlash(issuer) + "/.well-known/openid-configuration");
    this.http = http;
    this.clock = clock;
    this.scheduler = scheduler;
    this.settings = settings;
    this.backoff = settings.initialBackoff();
  }

  /** Called (on the fetching thread) whenever a fetch yields a different set of keys. */
  public void onKeysChanged(Runnable r) {
    this.onKeysChanged = r;
  }

  /** Starts the first load in the background. */
  public void start() {
    schedule(Duration.ZERO);
  }

  @Override
  public Optional<KeySet> current() {
    return Optional.ofNullable(keys);
  }

  @Override
  public Optional<KeySet> refreshOnUnknownKid(String kid) {
    // Callers queue on the lock while one fetch runs; when they get it, the fetch just made is recent
    // enough that they return its result instead of fetching again.
    synchronized (lock) {
      if (Duration.between(lastAttempt, clock.instant()).compareTo(settings.minRefreshInterval()) >= 0) {
        fetch("unknown kid");
      }
    }
    return current();
  }

  @Override
  public KeyStatus status() {
    KeySet k = keys;
    return new KeyStatus(issuer, k == null ? 0 : k.keys().size(), lastSuccess, lastError, failures.get());
  }

  /** Fetches now, in the caller's thread. For tests and {@code check}; returns true when keys are held. */
  public boolean loadNow() {
    synchronized (lock) {
      fetch("explicit");
    }
    return keys != null;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      if (next != null) {
        next.cancel(false);
      }
    }
  }

  private void schedule(Duration delay) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (next != null) {
        next.cancel(false);
      }
      next = scheduler.schedule(this::scheduledFetch, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }
  }

  private void scheduledFetch() {
    synchronized (lock) {
      if (!closed) {
        fetch("scheduled");
      }
    }
  }

  /** One fetch, under the lock: discovery when not yet known (or after a failure), then the JWKS. Schedules the next. */
  private void fetch(String why) {
    lastAttempt = clock.instant();
    try {
      if (jwksUri == null) {
        jwksUri = discover();
      }
      IssuerHttp.Response resp = http.get(jwksUri);
      List<JWK> parsed = JwksParser.parse(resp.body(), w -> LOG.warn("issuer {}: {}", issuer, w));
      if (parsed.isEmpty()) {
        throw new IOException("JWKS at " + jwksUri + " has no usable signing keys");
      }
      boolean first = keys == null;
      boolean changed = !first && !keys.keys().equals(parsed);
      keys = new KeySet(parsed, clock.instant());
      if (changed) {
        onKeysChanged.run();
      }
      lastSuccess = clock.instant();
      lastError = null;
      backoff = settings.initialBackoff();
      if (first) {
        LOG.info("issuer {}: loaded {} signing keys from {}", issuer, parsed.size(), jwksUri);
      } else {
        LOG.debug("issuer {}: refreshed keys ({}): {} keys", issuer, why, parsed.size());
      }
      schedule(lifetime(resp.cacheControl().orElse(null)));
    } catch (IOException | ParseException | RuntimeException e) {
      failures.incrementAndGet();
      lastError = e.getMessage() == null ? e.toString() : e.getMessage();
      jwksUri = null; // rediscover next time: the issuer may have moved its keys
      LOG.warn("issuer {}: key fetch failed ({}): {}; {}; retrying in {} ms", issuer, why, lastError,
          keys == null ? "no keys yet" : "keeping " + keys.keys().size() + " last good keys", backoff.toMillis());
      schedule(backoff);
      backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
    }
  }

  private URI discover() throws IOException, ParseException {
    IssuerHttp.Response resp = http.get(discoveryUrl);
    Map<String, Object> doc = JSONObjectUtils.parse(resp.body());
    Object iss = doc.get("issuer");
    // OIDC Discovery 1.0 §4.3: the issuer in the document must be identical to the one configured.
    if (!issuer.equals(iss)) {
      throw new IOException("discovery document at " + discoveryUrl + " names issuer \"" + iss
          + "\", expected \"" + issuer + "\"");
    }
    Object uri = doc.get("jwks_uri");
    if (!(uri instanceof String s) || s.isEmpty()) {
      throw new IOException("discovery document at " + discoveryUrl + " has no jwks_uri");
    }
    URI u = URI.create(s);
    if (!"https".equals(u.getScheme())) {
      throw new IOException("jwks_uri " + s + " is not https");
    }
    return u;
  }

  /** How long to keep a JWKS: its max-age, bounded, else the default. */
  Duration lifetime(String cacheControl) {
    Duration d = settings.defaultKeyLifetime();
    if (cacheControl != null) {
      Matcher m = MAX_AGE.matcher(cacheControl);
      if (m.find()) {
        d = Duration.ofSeconds(Long.parseLong(m.group(1)));
      }
    }
    return min(max(d, settings.minKeyLifetime()), settings.maxKeyLifetime());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
