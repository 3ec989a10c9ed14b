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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one composition root: a validated configuration becomes running parts. */
public final class Wiring implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

  private final List<RemoteKeySource> keySources;
  private final IssuerRouter router;
  private final Metrics metrics;
  private final TokenAuthenticator authenticator;
  private final ScheduledExecutorService scheduler;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private Wiring(List<RemoteKeySource> keySources, IssuerRouter router, Metrics metrics,
      ScheduledExecutorService scheduler, Duration cacheTtl, Clock clock) {
    this.keySources = keySources;
    this.router = router;
    this.metrics = metrics;
    this.scheduler = scheduler;
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

  /** Builds every issuer's key source and verifier. Nothing is fetched until {@link #startKeys()}. */
  public static Wiring build(WebhookConfig cfg, RuntimeOptions options) throws ConfigException {
    Clock clock = options.clock();
    RemoteKeySource.Settings settings = options.keys();
    AtomicInteger n = new AtomicInteger();
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(
        Math.min(4, Math.max(1, cfg.authenticators().size())), r -> {
          Thread t = new Thread(r, "issuer-keys-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    List<RemoteKeySource> sources = new ArrayList<>();
    List<IssuerAuthenticator> authenticators = new ArrayList<>();
    List<AutoCloseable> closeables = new ArrayList<>();
    Metrics metrics = new Metrics();
    for (int i = 0; i < cfg.authenticators().size(); i++) {
      JwtAuthenticator a = cfg.authenticators().get(i);
      List<X509Certificate> cas;
      try {
        String ca = a.issuer().certificateAuthority();
        cas = ca == null || ca.isEmpty() ? List.of() : Pem.certificates(Pem.decodeCertificateAuthority(ca));
      } catch (IllegalArgumentException e) {
        scheduler.shutdownNow();
        throw new ConfigException(List.of(FieldError.invalid(
            FieldPath.root("jwt").index(i).child("issuer").child("certificateAuthority"), FieldError.OMITTED, e.getMessage())));
      }
      IssuerHttp http = new IssuerHttp(Pem.clientContext(cas), IssuerHttp.DEFAULT_TIMEOUT, IssuerHttp.DEFAULT_MAX_BODY_BYTES);
      RemoteKeySource keys = new RemoteKeySource(a.issuer().url(), a.issuer().discoveryURL(), http, clock, scheduler, settings);
      sources.add(keys);
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
    Wiring w = new Wiring(sources, new IssuerRouter(authenticators, options.maxTokenBytes()), metrics,
        scheduler, options.cacheTtl(), clock);
    w.closeables.addAll(closeables);
    return w;
  }

  /** Starts fetching every issuer's keys in the background (retried until they load). */
  public void startKeys() {
    keySources.forEach(RemoteKeySource::start);
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
    keySources.forEach(RemoteKeySource::close);
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("close: {}", e.toString());
      }
    }
    scheduler.shutdownNow();
  }
}
