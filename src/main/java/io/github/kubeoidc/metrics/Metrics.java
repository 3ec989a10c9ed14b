package io.github.kubeoidc.metrics;

import io.github.kubeoidc.keys.KeyStatus;
import io.github.kubeoidc.token.AuthResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Every series this webhook exports, in one place. Labels are bounded: {@code result}, {@code reason}
 * (a {@link io.github.kubeoidc.token.Reason}) and {@code issuer} (a configured issuer URL, or
 * {@code none} when the token named no configured issuer: the unverified {@code iss} is attacker-chosen
 * and never becomes a label).
 */
public final class Metrics {
  static final String PREFIX = "kube_oidc_webhook_";
  static final String NO_ISSUER = "none";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<Series, Counter> reviews = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Supplier<KeyStatus>> issuerStatus = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicReference<com.github.benmanes.caffeine.cache.Cache<?, ?>> answerCache =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final Map<String, java.util.function.LongSupplier> guardCounts = new ConcurrentHashMap<>();

  /** The JVM and process series, bound beside the start-up (they load much of Micrometer); scrapes wait for them. */
  private final java.util.concurrent.CompletableFuture<Void> jvmSeries;

  public Metrics() {
    jvmSeries = new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        jvmSeries.complete(null);
      } catch (RuntimeException | Error e) {
        jvmSeries.completeExceptionally(e);
      }
    }, "metrics-init");
    t.setDaemon(true);
    t.start();
  }

  /** Counts one TokenReview and its latency. */
  public void recordTokenReview(AuthResult result, Duration elapsed) {
    String outcome;
    String reason;
    String issuer;
    if (result instanceof AuthResult.Authenticated a) {
      outcome = "authenticated";
      reason = "none";
      issuer = a.issuer();
    } else {
      AuthResult.Rejected r = (AuthResult.Rejected) result;
      outcome = r.reason().notMine() ? "not_mine" : "rejected";
      reason = r.reason().name();
      issuer = r.issuer() == null ? NO_ISSUER : r.issuer();
    }
    reviews.computeIfAbsent(new Series(outcome, reason, issuer), k -> Counter.builder(PREFIX + "tokenreviews")
            .description("TokenReviews answered, by result, rejection reason and configured issuer")
            .tags("result", outcome, "reason", reason, "issuer", issuer)
            .register(registry))
        .increment();
    timers.computeIfAbsent(outcome, k -> Timer.builder(PREFIX + "tokenreview_duration")
            .description("Time to verify a token and build the answer")
            .tags("result", outcome)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(50_000))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry))
        .record(elapsed);
  }

  /**
   * One tokenreviews series. Hand-written equals and hashCode: a record's generated ones go through an
   * invokedynamic bootstrap that showed in the per-request profile; the strings cache their hashes.
   */
  private static final class Series {
    final String outcome;
    final String reason;
    final String issuer;

    Series(String outcome, String reason, String issuer) {
      this.outcome = outcome;
      this.reason = reason;
      this.issuer = issuer;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Series s && outcome.equals(s.outcome) && reason.equals(s.reason) && issuer.equals(s.issuer);
    }

    @Override
    public int hashCode() {
      return (outcome.hashCode() * 31 + reason.hashCode()) * 31 + issuer.hashCode();
    }
  }

  /** Counts a request that was not a TokenReview (HTTP 400). */
  public void recordBadRequest() {
    counters.computeIfAbsent("bad_request", k -> Counter.builder(PREFIX + "bad_requests")
            .description("Requests to /authenticate that were not a TokenReview (HTTP 4xx)")
            .register(registry))
        .increment();
  }

  /** Exports one issuer's key status, read at scrape time; a later call for the same issuer replaces the source. */
  public void watchIssuer(String issuer, Supplier<KeyStatus> source) {
    boolean fresh = issuerStatus.put(issuer, source) == null;
    if (!fresh) {
      return;
    }
    Supplier<KeyStatus> status = () -> issuerStatus.getOrDefault(issuer, () -> new KeyStatus(issuer, 0, null, null, 0)).get();
    Gauge.builder(PREFIX + "issuer_keys", () -> status.get().keyCount())
        .description("Usable signing keys held for the issuer (0 = not ready)")
        .tag("issuer", issuer)
        .register(registry);
    Gauge.builder(PREFIX + "issuer_last_key_fetch_success_timestamp_seconds",
            () -> {
              KeyStatus s = status.get();
              return s.lastSuccess() == null ? 0 : s.lastSuccess().toEpochMilli() / 1000.0;
            })
        .description("When the issuer's keys were last fetched successfully (Unix time; 0 = never)")
        .tag("issuer", issuer)
        .register(registry);
    FunctionCounter.builder(PREFIX + "issuer_key_fetch_failures", status, s -> s.get().failures())
        .description("Failed discovery or JWKS fetches for the issuer")
        .tag("issuer", issuer)
        .register(registry);
  }

  /** Counts groups the system: guard dropped for an issuer; a later call adds the new authenticator's count. */
  public void watchSystemGuard(String issuer, java.util.function.LongSupplier dropped) {
    // After a reload the new authenticator counts from zero: keep the old total so the counter never falls.
    java.util.function.LongSupplier before = guardCounts.get(issuer);
    long carried = before == null ? 0 : before.getAsLong();
    boolean fresh = guardCounts.put(issuer, () -> carried + dropped.getAsLong()) == null;
    if (!fresh) {
      return;
    }
    FunctionCounter.builder(PREFIX + "system_groups_dropped", guardCounts,
            m -> m.getOrDefault(issuer, () -> carried).getAsLong())
        .description("Groups from token claims dropped because they are in the reserved system: namespace")
        .tag("issuer", issuer)
        .register(registry);
  }

  /** Drops the series of issuers no longer configured (after a reload). */
  public void retainIssuers(java.util.Set<String> issuers) {
    for (String gone : new java.util.HashSet<>(issuerStatus.keySet())) {
      if (!issuers.contains(gone)) {
        issuerStatus.remove(gone);
        guardCounts.remove(gone);
        registry.find(PREFIX + "issuer_keys").tag("issuer", gone).meters().forEach(registry::remove);
        registry.find(PREFIX + "issuer_last_key_fetch_success_timestamp_seconds").tag("issuer", gone).meters()
            .forEach(registry::remove);
        registry.find(PREFIX + "issuer_key_fetch_failures").tag("issuer", gone).meters().forEach(registry::remove);
        registry.find(PREFIX + "system_groups_dropped").tag("issuer", gone).meters().forEach(registry::remove);
      }
    }
  }

  /** Counts a configuration reload: {@code result} is {@code success} or {@code failure}. */
  public void recordReload(String what, boolean success) {
    String result = success ? "success" : "failure";
    counters.computeIfAbsent("reload\0" + what + '\0' + result, k -> Counter.builder(PREFIX + "reloads")
            .description("Reloads of the configuration file and serving certificate, by result")
            .tags("what", what, "result", result)
            .register(registry))
        .increment();
  }

  /** Exports the answer cache's size, hits, misses and evictions; a reload's new cache replaces the old one. */
  public void watchCache(com.github.benmanes.caffeine.cache.Cache<?, ?> cache) {
    if (answerCache.getAndSet(cache) != null) {
      return;
    }
    Gauge.builder(PREFIX + "answer_cache_size", answerCache, c -> c.get().estimatedSize())
        .description("Verified answers currently cached").register(registry);
    FunctionCounter.builder(PREFIX + "answer_cache_hits", answerCache, c -> c.get().stats().hitCount())
        .description("TokenReviews answered from the cache").register(registry);
    FunctionCounter.builder(PREFIX + "answer_cache_misses", answerCache, c -> c.get().stats().missCount())
        .description("TokenReviews not found in the cache").register(registry);
    FunctionCounter.builder(PREFIX + "answer_cache_evictions", answerCache, c -> c.get().stats().evictionCount())
        .description("Cached answers evicted by size or expiry").register(registry);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    jvmSeries.join();
    return registry.scrape();
  }
}
