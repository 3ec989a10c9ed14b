package io.github.kubeoidc.http;

import io.github.kubeoidc.keys.KeyStatus;
import io.github.kubeoidc.metrics.Metrics;
import io.github.kubeoidc.tls.Pem;
import io.github.kubeoidc.token.TokenAuthenticator;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP side: HTTPS (HTTP/1.1 and h2 by ALPN, TLS 1.2/1.3, optional client certificates) and/or
 * plain HTTP, serving {@code /authenticate}, the health endpoints and {@code /metrics}. The hot endpoints
 * ({@code /authenticate}, {@code /healthz}, {@code /livez}) are {@link CoreRoutes} on Jetty's core API; Javalin
 * serves the rest.
 */
public final class WebhookServer implements AutoCloseable {
  private final Javalin app;
  private final ServerOptions options;
  private final SslContextFactory.Server tls;
  private final List<ServerConnector> connectors = new ArrayList<>();

  /**
   * Reads the TLS files now, so a bad certificate or key is a configuration error before anything listens.
   *
   * @throws IllegalArgumentException naming the flag whose file is unusable
   */
  public WebhookServer(ServerOptions options, Supplier<TokenAuthenticator> authenticator,
      Supplier<List<KeyStatus>> issuers, Metrics metrics) {
    this.options = options;
    SslContextFactory.Server tls = options.https() ? tlsContext(options) : null;
    this.tls = tls;
    // A pool sized to the CPUs, not Jetty's 200: verification is CPU-bound, and a few threads per core
    // keep the tail latency close to the median when many connections compete (README, Performance).
    int threads = Integer.getInteger("kubeoidc.threads", Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    QueuedThreadPool pool = new QueuedThreadPool(threads, Math.min(threads, 4));
    pool.setName("http");
    TokenReviewHandler reviews = new TokenReviewHandler(authenticator, metrics, options.clientCaFile() != null,
        new DecisionLog(options.jsonLogs() ? DecisionLog.Format.JSON : DecisionLog.Format.TEXT, System.err),
        ServerOptions.MAX_REQUEST_BYTES, pool);
    HealthHandlers health = new HealthHandlers(issuers);
    this.app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.http.maxRequestSize = ServerOptions.MAX_REQUEST_BYTES;
      config.http.prefer405over404 = true;
      config.jetty.threadPool = pool;
      // The hot endpoints run on Jetty's core API in front of Javalin's servlet (CoreRoutes).
      config.jetty.modifyServer(server -> server.insertHandler(new CoreRoutes(reviews, pool)));
      config.jetty.modifyHttpConfiguration(h -> {
        h.setSendServerVersion(false);
        h.setSendXPoweredBy(false);
        // A TokenReview's headers are small; a client that sends more is not one.
        h.setRequestHeaderSize(16 * 1024);
      });
      if (tls != null) {
        config.jetty.addConnector((server, http) -> remember(httpsConnector(server, http, tls)));
      }
      if (options.httpPort() != null) {
        config.jetty.addConnector((server, http) -> remember(httpConnector(server, http)));
      }
      config.routes.get("/readyz", health::ready);
      config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    });
  }

  /** Starts listening; returns the URLs served. */
  public List<URI> start() {
    app.start();
    List<URI> urls = new ArrayList<>();
    for (ServerConnector c : connectors) {
      boolean secure = c.getConnectionFactory(SslConnectionFactory.class) != null;
      String host = c.getHost() == null ? "0.0.0.0" : c.getHost();
      if (host.contains(":")) {
        host = "[" + host + "]";
      }
      urls.add(URI.create((secure ? "https" : "http") + "://" + host + ":" + c.getLocalPort()));
    }
    return urls;
  }

  @Override
  public void close() {
    app.stop();
  }

  /** Jetty's default: one accepting thread per connector. */
  private static final int ACCEPTORS = -1;

  /**
   * One I/O thread per CPU (Jetty's default is one per two): HTTP/1.1 reviews are verified on the I/O thread that
   * read them (CoreRoutes), so these threads are the ones that use the cores.
   */
  private static int selectors() {
    return Integer.getInteger("kubeoidc.selectors", Runtime.getRuntime().availableProcessors());
  }

  private ServerConnector remember(ServerConnector c) {
    connectors.add(c);
    return c;
  }

  private ServerConnector httpConnector(Server server, HttpConfiguration http) {
    ServerConnector c = new ServerConnector(server, ACCEPTORS, selectors(), new HttpConnectionFactory(http));
    c.setHost(options.bindAddress());
    c.setPort(options.httpPort());
    c.setIdleTimeout(options.idleTimeout().toMillis());
    return c;
  }

  private ServerConnector httpsConnector(Server server, HttpConfiguration http, SslContextFactory.Server tls) {
    HttpConfiguration https = new HttpConfiguration(http);
    // Clients reach the webhook by Service DNS name or IP; the certificate's names are the client's
    // concern (kube-apiserver verifies them), so no SNI host check here.
    SecureRequestCustomizer src = new SecureRequestCustomizer();
    src.setSniHostCheck(false);
    https.addCustomizer(src);
    HttpConnectionFactory h1 = new HttpConnectionFactory(https);
    HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
    alpn.setDefaultProtocol(h1.getProtocol());
    SslConnectionFactory ssl = new SslConnectionFactory(tls, alpn.getProtocol());
    ServerConnector c = new ServerConnector(server, ACCEPTORS, selectors(), ssl, alpn, h2, h1);
    c.setHost(options.bindAddress());
    c.setPort(options.securePort());
    c.setIdleTimeout(options.idleTimeout().toMillis());
    return c;
  }

  /** The files {@link #reloadTls()} reads: certificate, key and client CA; empty without HTTPS. */
  public List<Path> tlsFiles() {
    if (tls == null) {
      return List.of();
    }
    List<Path> files = new ArrayList<>(List.of(options.tlsCertFile(), options.tlsPrivateKeyFile()));
    if (options.clientCaFile() != null) {
      files.add(options.clientCaFile());
    }
    return files;
  }

  /**
   * Re-reads the serving certificate, key and client CA (as kube components do when a Secret is updated);
   * new connections get them. A broken or mismatched pair throws, naming the flag, and the old one stays.
   */
  public void reloadTls() {
    KeyStore ks = keyStore(options);
    KeyStore trust = options.clientCaFile() == null ? null : clientTrust(options);
    try {
      tls.reload(f -> {
        f.setKeyStore(ks);
        if (trust != null) {
          f.setTrustStore(trust);
        }
      });
    } catch (Exception e) {
      throw new IllegalStateException("TLS context reload failed: " + e.getMessage(), e);
    }
  }

  /** The serving key store from the PEM files; the key must belong to the first certificate. */
  private static KeyStore keyStore(ServerOptions o) {
    List<X509Certificate> chain = Pem.certificates(read(o.tlsCertFile(), "--tls-cert-file"));
    PrivateKey key;
    try {
      key = Pem.privateKey(read(o.tlsPrivateKeyFile(), "--tls-private-key-file"));
      Pem.checkKeyMatches(chain.get(0), key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tls-private-key-file: " + e.getMessage());
    }
    return Pem.keyStore(chain, key, new char[0]);
  }

  private static KeyStore clientTrust(ServerOptions o) {
    try {
      return Pem.trustStore(Pem.certificates(read(o.clientCaFile(), "--client-ca-file")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith("--client-ca-file") ? e.getMessage()
          : "--client-ca-file: " + e.getMessage());
    }
  }

  private static SslContextFactory.Server tlsContext(ServerOptions o) {
    SslContextFactory.Server f = new SslContextFactory.Server();
    f.setKeyStore(keyStore(o));
    f.setKeyStorePassword("");
    f.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    // Forward-secret AEAD suites only (Mozilla "intermediate"); TLS 1.3 suites are all AEAD.
    f.setIncludeCipherSuites("TLS_AES_.*", "TLS_CHACHA20_.*", "TLS_ECDHE_.*_WITH_AES_.*_GCM_.*",
        "TLS_ECDHE_.*_WITH_CHACHA20_POLY1305_.*");
    if (o.clientCaFile() != null) {
      f.setTrustStore(clientTrust(o));
      // "want", not "need": a certificate that is presented must chain to this CA (else the handshake
      // fails), and /authenticate refuses requests without one, while probes stay reachable.
      f.setWantClientAuth(true);
    }
    return f;
  }

  private static String read(Path p, String flag) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + ": cannot read " + p + ": " + e.getMessage());
    }
  }
}
