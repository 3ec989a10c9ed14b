package io.github.kubeoidc.http;

import java.nio.file.Path;

/**
 * Where and how to listen. {@code httpPort} null: no plain HTTP; 0: a free port. TLS files null: no HTTPS.
 */
public record ServerOptions(
    String bindAddress,
    int securePort,
    Path tlsCertFile,
    Path tlsPrivateKeyFile,
    Path clientCaFile,
    Integer httpPort,
    boolean jsonLogs,
    java.time.Duration idleTimeout) {

  /**
   * A connection that sends nothing for this long is closed, so slow or stuck clients cannot hold
   * connections (kube-apiserver's webhook client keeps its connections busy or closes them).
   */
  public static final java.time.Duration DEFAULT_IDLE_TIMEOUT = java.time.Duration.ofSeconds(30);

  /** Text decision logs, default idle timeout. */
  public ServerOptions(String bindAddress, int securePort, Path tlsCertFile, Path tlsPrivateKeyFile, Path clientCaFile,
      Integer httpPort) {
    this(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile, httpPort, false, DEFAULT_IDLE_TIMEOUT);
  }

  /** Default idle timeout. */
  public ServerOptions(String bindAddress, int securePort, Path tlsCertFile, Path tlsPrivateKeyFile, Path clientCaFile,
      Integer httpPort, boolean jsonLogs) {
    this(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile, httpPort, jsonLogs, DEFAULT_IDLE_TIMEOUT);
  }

  /** A TokenReview is a few KB; anything near this is not one. */
  public static final long MAX_REQUEST_BYTES = 1 << 20;

  public boolean https() {
    return tlsCertFile != null;
  }
}
