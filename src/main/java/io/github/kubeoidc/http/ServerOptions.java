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
    boolean jsonLogs) {

  /** Text decision logs. */
  public ServerOptions(String bindAddress, int securePort, Path tlsCertFile, Path tlsPrivateKeyFile, Path clientCaFile,
      Integer httpPort) {
    this(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile, httpPort, false);
  }

  /** A TokenReview is a few KB; anything near this is not one. */
  public static final long MAX_REQUEST_BYTES = 1 << 20;

  public boolean https() {
    return tlsCertFile != null;
  }
}
