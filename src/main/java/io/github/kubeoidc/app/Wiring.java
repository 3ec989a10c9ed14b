package io.github.kubeoidc.app;

import io.github.kubeoidc.config.ConfigException;
import io.github.kubeoidc.config.FieldError;
import io.github.kubeoidc.config.FieldPath;
import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.config.WebhookConfig;
import io.github.kubeoidc.keys.IssuerHttp;
import io.github.kubeoidc.keys.KeyStatus;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.metrics.InstrumentedAuthenticator;
import io.github.kubeoidc.metrics.Metrics;
import io.github.kubeoidc.tls.Pem;
import io.github.kubeoidc.token.CachingAuthenticator;
import io.github.kubeoidc.token.DistributedClaims;
import io.github.kubeoidc.token.IssuerAuthenticator;
import io.github.kubeoidc.token.IssuerRouter;
import io.github.kubeoidc.token.TokenAuthenticator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one composition root: a validated configuration becomes running parts. */
public final class Wiring implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

  private final List<RemoteKeySource> keySources;
  /** Key sources by what they fetch (issuer, discovery URL, CA), so a reload can adopt unchanged ones. */
  private final Map<String, RemoteKeySource> sourcesByIdentity;
  /** Sources a newer Wiring adopted: no longer ours to close. */
  private final Set<RemoteKeySource> adopted = ConcurrentHashMap.newKeySet();
  private final IssuerRouter router;
  private final Metrics metrics;
  private final TokenAuthenticator authenticator;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private Wiring(List<RemoteKeySource> keySources, Map<String, RemoteKeySource> sourcesByIdentity, IssuerRouter router,
      Metrics metrics, ScheduledExecutorService scheduler, boolean ownsScheduler, Duration cacheTtl, Clock clock) {
    this.keySources = keySources;
    this.sourcesByIdentity = sourcesByIdentity;
    this.router = router;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.ownsScheduler = ownsScheduler;
    TokenAuthenticator core = router;
    if (!cacheTtl.isZero()) {
      CachingAuthenticator cache = new CachingAuthenticator(router, cacheTtl, clock);
      for (RemoteKeySource k : keySources) {
        k.onKeysChanged(() -> cache.invalidateIssuer(k.status().issuer()));
      }
      metrics.watchCache(cache.cache());
      core = cache;
    }
    this.authenticator = new InstrumentedAuthenticator(core, metrics);
  }

  /** Without an answer cache, with the other defaults. */
  public static Wiring build(WebhookConfig cfg, Clock clock, RemoteKeySource.Settings settings) throws ConfigException {
    return build(cfg, RuntimeOptions.uncached(clock, settings));
  }

  /** Builds every issuer's key source and verifier with its own scheduler and metrics. Nothing is fetched yet. */
  public static Wiring build(WebhookConfig cfg, RuntimeOptions options) throws ConfigException {
    return build(cfg, options, new Metrics(), newScheduler(), true, null);
  }

  /** A daemon scheduler for key fetches and refreshes. */
  static ScheduledExecutorService newScheduler() {
    AtomicInteger n = new AtomicInteger();
    return Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "issuer-keys-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Builds on shared parts (a running server's metrics and key scheduler). Key sources of {@code previous}
   * that fetch exactly what this configuration needs are adopted, keys and all, so a reload never makes a
   * working issuer "not initialized"; the others are new and must be loaded ({@link #loadNewKeysNow()}).
   */
  static Wiring build(WebhookConfig cfg, RuntimeOptions options, Metrics metrics, ScheduledExecutorService scheduler,
      boolean ownsScheduler, Wiring previous) throws ConfigException {
    Clock clock = options.clock();
    RemoteKeySource.Settings settings = options.keys();
    List<RemoteKeySource> sources = new ArrayList<>();
    Map<String, RemoteKeySource> byIdentity = new HashMap<>();
    List<IssuerAuthenticator> authenticators = new ArrayList<>();
    List<AutoCloseable> closeables = new ArrayList<>();
    for (int i = 0; i < cfg.authenticators().size(); i++) {
      JwtAuthenticator a = cfg.authenticators().get(i);
      List<X509Certificate> cas;
      try {
        String ca = a.issuer().certificateAuthority();
        cas = ca == null || ca.isEmpty() ? List.of() : Pem.certificates(Pem.decodeCertificateAuthority(ca));
      } catch (IllegalArgumentException e) {
        if (ownsScheduler) {
          scheduler.shutdownNow();
        }
        throw new ConfigException(List.of(FieldError.invalid(
            FieldPath.root("jwt").index(i).child("issuer").child("certificateAuthority"), FieldError.OMITTED, e.getMessage())));
      }
      List<X509Certificate> trusted = cas;
      IssuerHttp http = new IssuerHttp(() -> Pem.clientContext(trusted), IssuerHttp.DEFAULT_TIMEOUT, IssuerHttp.DEFAULT_MAX_BODY_BYTES);
      String identity = a.issuer().url() + '\0' + a.issuer().discoveryURL() + '\0' + a.issuer().certificateAuthority();
      RemoteKeySource keys = previous == null ? null : previous.sourcesByIdentity.get(identity);
      if (keys != null) {
        previous.adopted.add(keys);
      } else {
        keys = new RemoteKeySource(a.issuer().url(), a.issuer().discoveryURL(), http, clock, scheduler, settings);
      }
      sources.add(keys);
      byIdentity.put(identity, keys);
      IssuerAuthenticator ia = new IssuerAuthenticator(a, cfg.rules().get(i), cfg.signingAlgorithms(), keys, clock);
      ia.guardSystemIdentities(options.systemGuard());
      metrics.watchSystemGuard(a.issuer().url(), ia::droppedSystemGroups);
      String groupsClaim = a.claimMappings().groups() == null ? null : a.claimMappings().groups().claim();
      if (groupsClaim != null && !groupsClaim.isEmpty()) {
        DistributedClaims dc = new DistributedClaims(groupsClaim, http, a.issuer().audiences(), cfg.signingAlgorithms(),
            clock, scheduler, settings);
        ia.useDistributedClaims(dc);
        closeables.add(dc);
      }
      authenticators.add(ia);
      metrics.watchIssuer(a.issuer().url(), keys::status);
      LOG.info("issuer {}: audiences {}, algorithms {}, CA {}", a.issuer().url(), a.issuer().audiences(),
          cfg.signingAlgorithms(), cas.isEmpty() ? "system trust store" : cas.size() + " certificate(s) from configuration");
    }
    if (!options.systemGuard()) {
      LOG.warn("--insecure-allow-system-identities: usernames and groups from token claims may be in the reserved system: namespace");
    }
    metrics.retainIssuers(cfg.authenticators().stream().map(a -> a.issuer().url()).collect(java.util.stream.Collectors.toSet()));
    Wiring w = new Wiring(sources, byIdentity, new IssuerRouter(authenticators, options.maxTokenBytes()), metrics,
        scheduler, ownsScheduler, options.cacheTtl(), clock);
    w.closeables.addAll(closeables);
    return w;
  }

  /** Starts fetching every issuer's keys in the background (retried until they load). */
  public void startKeys() {
    keySources.forEach(RemoteKeySource::start);
  }

  /** For a reload: loads, in this thread, the keys of sources that have none yet, then starts their refreshes. */
  void loadNewKeysNow() {
    for (RemoteKeySource k : keySources) {
      if (k.current().isEmpty()) {
        k.loadNow(); // schedules its own refresh or retry either way
      }
    }
  }

  /** Fetches every issuer's keys now, in this thread; for {@code check}. */
  public void loadKeysNow() {
    keySources.forEach(RemoteKeySource::loadNow);
  }

  /** The instrumented authenticator that {@code serve} answers with. */
  public TokenAuthenticator authenticator() {
    return authenticator;
  }

  /** The bare pipeline (no metrics), for {@code check}. */
  public IssuerRouter router() {
    return router;
  }

  public Metrics metrics() {
    return metrics;
  }

  public List<KeyStatus> keyStatuses() {
    return keySources.stream().map(RemoteKeySource::status).toList();
  }

  @Override
  public void close() {
    keySources.stream().filter(k -> !adopted.contains(k)).forEach(RemoteKeySource::close);
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("close: {}", e.toString());
      }
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }
}
