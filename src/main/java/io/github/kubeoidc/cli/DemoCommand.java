package io.github.kubeoidc.cli;

import io.github.kubeoidc.app.RuntimeOptions;
import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.config.ConfigException;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.http.ServerOptions;
import io.github.kubeoidc.keys.KeyStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code demo}: a local development issuer and a {@code serve} wired to it, with a token to try. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a development OIDC issuer (HTTPS on loopback, throwaway CA and key) and the webhook wired to it;"
        + " print an ID token and a curl command that sends it as a TokenReview. Runs until Ctrl-C.")
public final class DemoCommand implements Callable<Integer> {
  static final String AUDIENCE = "kubernetes";

  @Spec CommandSpec spec;

  @Option(names = "--http-port", paramLabel = "N", defaultValue = "0",
      description = "Port of the webhook's plain HTTP listener on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--once",
      description = "Send the token once as a TokenReview, print the answer and exit: status 0 when it authenticated, 1 when not."
          + " A smoke test of a build or an image; the container image's build runs it to train the JVM's AOT cache.")
  boolean once;

  /** The running demo. */
  public record Demo(DevIssuer issuer, Webhook webhook, Path configFile, String token, URI authenticateUrl) implements AutoCloseable {
    @Override
    public void close() {
      webhook.close();
      issuer.close();
      try {
        Files.deleteIfExists(configFile);
      } catch (IOException e) {
        // a temp file; nothing to do
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Demo demo;
    try {
      demo = start(httpPort);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return Exit.CONFIG;
    }
    if (once) {
      try (demo) {
        return once(demo, out);
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      stopped.countDown();
    }, "shutdown"));
    String body = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + demo.token() + "\"}}";
    out.println();
    out.println("kube-oidc-webhook demo");
    out.println("  development issuer: " + demo.issuer().url() + " (throwaway CA and RS256 key, in memory only)");
    out.println("  configuration:      " + demo.configFile());
    out.println("  listening on " + demo.authenticateUrl().resolve("/"));
    out.println();
    out.println("An ID token for jane@example.com (groups: developers), valid for one hour:");
    out.println();
    out.println(demo.token());
    out.println();
    out.println("Send it as kube-apiserver would:");
    out.println();
    out.println("curl -s -X POST " + demo.authenticateUrl() + " -H 'Content-Type: application/json' -d '" + body + "'");
    out.println();
    out.println("Explain it step by step:");
    out.println();
    out.println("java -jar target/kube-oidc-webhook.jar check --authentication-config " + demo.configFile() + " --token " + demo.token());
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return Exit.OK;
  }

  /** {@code --once}: the TokenReview over real HTTP, as kube-apiserver sends it; then the probes and metrics. */
  private static int once(Demo demo, PrintWriter out) throws IOException, InterruptedException {
    String body = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + demo.token() + "\"}}";
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(demo.authenticateUrl()).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String path : List.of("/readyz", "/livez", "/metrics")) {
      client.send(HttpRequest.newBuilder(demo.authenticateUrl().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.discarding());
    }
    out.println("POST " + demo.authenticateUrl() + ": HTTP " + answer.statusCode() + " " + answer.body());
    out.flush();
    return answer.statusCode() == 200 && answer.body().contains("\"authenticated\":true") ? Exit.OK : Exit.REJECTED;
  }

  /** Starts the issuer and the webhook, waits until the webhook is ready, and mints a token. */
  public static Demo start(int httpPort) throws ConfigException, IOException, InterruptedException {
    DevIssuer issuer = DevIssuer.start();
    Path config = Files.createTempFile("kube-oidc-webhook-demo-", ".yaml");
    Files.writeString(config, configuration(issuer));
    Webhook webhook;
    try {
      webhook = Webhook.start(ConfigLoader.load(config), new ServerOptions("127.0.0.1", 0, null, null, null, httpPort),
          RuntimeOptions.defaults());
    } catch (ConfigException | RuntimeException e) {
      issuer.close();
      Files.deleteIfExists(config);
      throw e;
    }
    for (int i = 0; i < 200 && !webhook.wiring().keyStatuses().stream().allMatch(KeyStatus::ready); i++) {
      Thread.sleep(50);
    }
    Map<String, Object> claims = issuer.claims(AUDIENCE, "CiQwOGE4Njg0Yi1kYjg4LTRiNzMtOTBhOS0zY2QxNjYxZjU0NjYSBWxvY2Fs");
    claims.put("email", "jane@example.com");
    claims.put("email_verified", true);
    claims.put("groups", List.of("developers"));
    claims.put("name", "Jane Doe");
    URI url = webhook.urls().get(0).resolve("/authenticate");
    return new Demo(issuer, webhook, config, issuer.mint(claims), url);
  }

  /** The configuration the demo writes: the Dex guide's, pointed at the development issuer. */
  static String configuration(DevIssuer issuer) {
    StringBuilder ca = new StringBuilder();
    issuer.caPem().lines().forEach(l -> ca.append("      ").append(l).append('\n'));
    return """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer:
            url: %s
            audiences:
            - %s
            certificateAuthority: |
        %s  claimMappings:
            username:
              claim: email
              prefix: ""
            groups:
              claim: groups
              prefix: "oidc:"
        """.formatted(issuer.url(), AUDIENCE, ca);
  }
}
