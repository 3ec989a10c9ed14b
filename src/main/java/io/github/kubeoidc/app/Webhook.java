package io.github.kubeoidc.app;

import io.github.kubeoidc.config.ConfigException;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.config.WebhookConfig;
import io.github.kubeoidc.http.ServerOptions;
import io.github.kubeoidc.http.WebhookServer;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.metrics.Metrics;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code serve}: the verifier parts and the HTTP server. The verifier parts can be replaced while
 * serving ({@link #reload(Path)}): requests in flight finish on the parts they started with.
 */
public final class Webhook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);

  /** How often watched files are checked for changes (ConfigMap and Secret updates arrive as symlink swaps). */
  public static final Duration WATCH_INTERVAL = Duration.ofSeconds(2);
  /** How long replaced parts stay open for requests that started on them. */
  static final Duration DRAIN = Duration.ofSeconds(30);

  private final AtomicReference<Wiring> current;
  private final RuntimeOptions runtime;
  private final Metrics metrics;
  private final ScheduledExecutorService keyScheduler;
  private final ScheduledExecutorService watcher;
  private final WebhookServer server;
  private final List<URI> urls;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object reloadLock = new Object();

  private Webhook(AtomicReference<Wiring> current, RuntimeOptions runtime, Metrics metrics,
      ScheduledExecutorService keyScheduler, WebhookServer server, List<URI> urls) {
    this.current = current;
    this.runtime = runtime;
    this.metrics = metrics;
    this.keyScheduler = keyScheduler;
    this.server = server;
    this.urls = urls;
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "file-watch");
      t.setDaemon(true);
      return t;
    });
  }

  public static Webhook start(WebhookConfig cfg, ServerOptions options, Clock clock, RemoteKeySource.Settings settings)
      throws ConfigException {
    return start(cfg, options, RuntimeOptions.uncached(clock, settings));
  }

  /**
   * Builds everything (a bad TLS file or CA is a {@link ConfigException} before any port is bound),
   * starts the key fetches in the background and listens. Issuers that are down do not stop the start.
   */
  public static Webhook start(WebhookConfig cfg, ServerOptions options, RuntimeOptions runtime) throws ConfigException {
    Metrics metrics = new Metrics();
    ScheduledExecutorService keyScheduler = Wiring.newScheduler();
    Wiring wiring;
    try {
      wiring = Wiring.build(cfg, runtime, metrics, keyScheduler, false, null);
    } catch (ConfigException e) {
      keyScheduler.shutdownNow();
      throw e;
    }
    AtomicReference<Wiring> current = new AtomicReference<>(wiring);
    WebhookServer server;
    try {
      server = new WebhookServer(options, () -> current.get().authenticator(), () -> current.get().keyStatuses(), metrics);
    } catch (IllegalArgumentException e) {
      wiring.close();
      keyScheduler.shutdownNow();
      throw new ConfigException(e.getMessage());
    }
    wiring.startKeys();
    try {
      return new Webhook(current, runtime, metrics, keyScheduler, server, server.start());
    } catch (RuntimeException e) {
      wiring.close();
      keyScheduler.shutdownNow();
      throw e;
    }
  }

  public List<URI> urls() {
    return urls;
  }

  /** The verifier parts serving now. */
  public Wiring wiring() {
    return current.get();
  }

  /**
   * Reloads the configuration file whenever its content changes (checked every {@code interval}; follows
   * symlinks, so a ConfigMap's {@code ..data} swap counts). Also reloads the serving certificate files.
   */
  public void watch(Path configFile, Duration interval) {
    if (configFile != null) {
      watchFiles(List.of(configFile), interval, () -> reload(configFile));
    }
    List<Path> tlsFiles = server.tlsFiles();
    if (!tlsFiles.isEmpty()) {
      watchFiles(tlsFiles, interval, this::reloadTls);
    }
  }

  /** Runs {@code onChange} whenever the content of any of {@code files} changes (unreadable: try later). */
  private void watchFiles(List<Path> files, Duration interval, Runnable onChange) {
    byte[][] last = {digest(files)};
    watcher.scheduleWithFixedDelay(() -> {
      byte[] now = digest(files);
      if (now != null && !Arrays.equals(now, last[0])) {
        last[0] = now;
        onChange.run();
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reloadTls() {
    try {
      server.reloadTls();
      metrics.recordReload("tls", true);
      LOG.info("serving certificate reloaded from {}", server.tlsFiles().get(0));
    } catch (RuntimeException e) {
      metrics.recordReload("tls", false);
      LOG.error("serving certificate reload refused, keeping the previous one: {}", e.getMessage());
    }
  }

  /**
   * Validates the file and, if it is good, swaps in new verifier parts built from it. Issuers whose
   * discovery and CA are unchanged keep their key sources (and keys); new ones are loaded before the swap.
   * A bad file changes nothing. Returns whether the new configuration is now serving.
   */
  public boolean reload(Path configFile) {
    synchronized (reloadLock) {
      if (closed.get()) {
        return false;
      }
      Wiring next;
      try {
        WebhookConfig cfg = ConfigLoader.load(configFile);
        next = Wiring.build(cfg, runtime, metrics, keyScheduler, false, current.get());
      } catch (ConfigException | RuntimeException e) {
        metrics.recordReload("config", false);
        LOG.error("configuration reload refused, still serving the previous configuration: {}", e.getMessage());
        return false;
      }
      next.loadNewKeysNow();
      Wiring old = current.getAndSet(next);
      metrics.recordReload("config", true);
      LOG.info("configuration reloaded from {}: {} issuer(s)", configFile, next.keyStatuses().size());
      // Requests that picked up the old parts finish on them; then they go.
      watcher.schedule(old::close, DRAIN.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    }
  }

  /** SHA-256 over the files' contents, or null when one cannot be read (mid-swap: try again next time). */
  static byte[] digest(List<Path> files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Path f : files) {
        md.update(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
      }
      return md.digest();
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    watcher.shutdownNow();
    server.close();
    current.get().close();
    keyScheduler.shutdownNow();
  }
}
