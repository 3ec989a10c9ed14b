package io.github.kubeoidc.cli;

import io.github.kubeoidc.app.RuntimeOptions;
import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.config.ConfigException;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.config.WebhookConfig;
import io.github.kubeoidc.http.ServerOptions;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.keys.Signatures;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code serve}: the TokenReview webhook. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve the TokenReview webhook (POST /authenticate) with /healthz, /livez, /readyz and /metrics.")
public final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--authentication-config", paramLabel = "FILE",
      description = "A Kubernetes AuthenticationConfiguration (YAML or JSON) with jwt authenticators.")
  Path authenticationConfig;

  @Mixin LegacyOidcFlags legacy;

  @Option(names = "--bind-address", paramLabel = "IP", defaultValue = "0.0.0.0", description = "Listen address (default: ${DEFAULT-VALUE}).")
  String bindAddress;

  @Option(names = "--secure-port", paramLabel = "N", defaultValue = "8443", description = "HTTPS port (default: ${DEFAULT-VALUE}).")
  int securePort;

  @Option(names = "--tls-cert-file", paramLabel = "FILE", description = "PEM serving certificate chain.")
  Path tlsCertFile;

  @Option(names = "--tls-private-key-file", paramLabel = "FILE", description = "PEM private key (PKCS#1, PKCS#8 or EC).")
  Path tlsPrivateKeyFile;

  @Option(names = "--client-ca-file", paramLabel = "FILE",
      description = "Require HTTPS clients of /authenticate to present a certificate signed by this CA.")
  Path clientCaFile;

  @Option(names = "--cache-ttl", paramLabel = "DURATION", defaultValue = "2m", converter = GoDuration.class,
      description = "How long a verified token's answer may be reused (never past its exp); 0 turns the cache off (default: ${DEFAULT-VALUE}).")
  Duration cacheTtl;

  @Option(names = "--insecure-allow-system-identities",
      description = "Turn off the system: guard: let token claims yield usernames and groups in Kubernetes' reserved"
          + " system: namespace (as kube-apiserver does). Identities built by CEL expressions are never guarded.")
  boolean insecureAllowSystemIdentities;

  @Option(names = "--max-token-bytes", paramLabel = "N", defaultValue = "65536",
      description = "Refuse tokens larger than this without parsing them (default: ${DEFAULT-VALUE}).")
  int maxTokenBytes;

  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text or json: the format of the one line logged per TokenReview (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(names = "--signature-provider", paramLabel = "NAME", defaultValue = "auto",
      description = "What verifies token signatures: conscrypt (BoringSSL, native; the fastest for RS256 and ES256),"
          + " java (the JDK and BouncyCastle, no native code), or auto: conscrypt where its native library loads"
          + " (Linux x86_64, glibc), else java (default: ${DEFAULT-VALUE}).")
  String signatureProvider = "auto";

  @Option(names = "--http-port", paramLabel = "N",
      description = "Also (or only) serve plain HTTP on this port, for loopback and tests; 0 picks a free port.")
  Integer httpPort;

  /** Counted down on SIGTERM/Ctrl-C (or by a test) to stop serving. */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Webhook webhook;
    try {
      webhook = start();
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return Exit.CONFIG;
    }
    Thread hook = new Thread(() -> {
      LOG.info("shutting down");
      stop.countDown();
      webhook.close();
    }, "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    webhook.watch(authenticationConfig, Webhook.WATCH_INTERVAL);
    out.println("listening on " + webhook.urls().stream().map(URI::toString).collect(Collectors.joining(" ")));
    out.flush();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    webhook.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    return Exit.OK;
  }

  /** Validates flags and configuration, then starts. Every problem is a {@link ConfigException}. */
  Webhook start() throws ConfigException {
    ServerOptions options = serverOptions();
    Signatures.Engine engine;
    try {
      // auto stays unresolved until the first key arrives (loading the native library takes about 0.2 s)
      engine = signatureProvider.equals("auto") ? null : Signatures.parse(signatureProvider);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    Signatures.use(engine);
    WebhookConfig cfg = ConfigLoader.select(authenticationConfig, legacy.toLegacyFlags());
    LOG.info("kube-oidc-webhook {}: {} issuer(s) from {}; answer cache {}; system: guard {}; token limit {} bytes",
        getClass().getPackage().getImplementationVersion() == null ? "dev" : getClass().getPackage().getImplementationVersion(),
        cfg.authenticators().size(), cfg.source(), cacheTtl.isZero() ? "off" : cacheTtl.toSeconds() + "s",
        insecureAllowSystemIdentities ? "OFF" : "on", maxTokenBytes);
    return Webhook.start(cfg, options, new RuntimeOptions(Clock.systemUTC(), RemoteKeySource.DEFAULTS, cacheTtl,
        !insecureAllowSystemIdentities, maxTokenBytes));
  }

  ServerOptions serverOptions() throws ConfigException {
    if ((tlsCertFile == null) != (tlsPrivateKeyFile == null)) {
      throw new ConfigException("--tls-cert-file and --tls-private-key-file must be given together");
    }
    if (tlsCertFile == null && httpPort == null) {
      throw new ConfigException("nothing to serve on: give --tls-cert-file and --tls-private-key-file for HTTPS"
          + " (what kube-apiserver needs), or --http-port for plain HTTP on loopback and in tests");
    }
    if (clientCaFile != null && tlsCertFile == null) {
      throw new ConfigException("--client-ca-file needs HTTPS: give --tls-cert-file and --tls-private-key-file");
    }
    if (securePort < 0 || securePort > 65535 || (httpPort != null && (httpPort < 0 || httpPort > 65535))) {
      throw new ConfigException("--secure-port and --http-port must be between 0 and 65535");
    }
    if (maxTokenBytes < 1024) {
      throw new ConfigException("--max-token-bytes must be at least 1024: " + maxTokenBytes);
    }
    if (cacheTtl.isNegative()) {
      throw new ConfigException("--cache-ttl cannot be negative: " + cacheTtl);
    }
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new ConfigException("--log-format must be text or json: " + logFormat);
    }
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile, httpPort,
        logFormat.equals("json"));
  }
}
