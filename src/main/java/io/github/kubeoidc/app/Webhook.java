package io.github.kubeoidc.app;

import io.github.kubeoidc.config.ConfigException;
import io.github.kubeoidc.config.WebhookConfig;
import io.github.kubeoidc.http.ServerOptions;
import io.github.kubeoidc.http.WebhookServer;
import io.github.kubeoidc.keys.RemoteKeySource;
import java.net.URI;
import java.time.Clock;
import java.util.List;

/** A running {@code serve}: the verifier parts and the HTTP server, started together, closed together. */
public final class Webhook implements AutoCloseable {
  private final Wiring wiring;
  private final WebhookServer server;
  private final List<URI> urls;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private Webhook(Wiring wiring, WebhookServer server, List<URI> urls) {
    this.wiring = wiring;
    this.server = server;
    this.urls = urls;
  }

  /**
   * Builds everything (a bad TLS file or CA is a {@link ConfigException} before any port is bound),
   * starts the key fetches in the background and listens. Issuers that are down do not stop the start.
   */
  public static Webhook start(WebhookConfig cfg, ServerOptions options, Clock clock, RemoteKeySource.Settings settings)
      throws ConfigException {
    return start(cfg, options, RuntimeOptions.uncached(clock, settings));
  }

  /** Starts with these runtime options (cache, guard, limits). */
  public static Webhook start(WebhookConfig cfg, ServerOptions options, RuntimeOptions runtime) throws ConfigException {
    Wiring wiring = Wiring.build(cfg, runtime);
    WebhookServer server;
    try {
      server = new WebhookServer(options, wiring::authenticator, wiring::keyStatuses, wiring.metrics());
    } catch (IllegalArgumentException e) {
      wiring.close();
      throw new ConfigException(e.getMessage());
    }
    wiring.startKeys();
    try {
      return new Webhook(wiring, server, server.start());
    } catch (RuntimeException e) {
      wiring.close();
      throw e;
    }
  }

  public List<URI> urls() {
    return urls;
  }

  public Wiring wiring() {
    return wiring;
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    server.close();
    wiring.close();
  }
}
