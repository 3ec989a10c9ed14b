package io.github.kubeoidc.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Http;
import io.github.kubeoidc.tls.Pem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the container would do, without a container engine: the Dockerfile's ENTRYPOINT + CMD, word for
 * word, run against the packaged jar, with the files the Deployment mounts (the ConfigMap's configuration,
 * gencert.sh's serving certificate, key and client CA) laid out as in the pod, and a real HTTPS issuer
 * answering as the ConfigMap's {@code https://dex.example.com:32000}. Only paths are rewritten: the jar's
 * and the mounts' prefix, and {@code java} to this JDK's. The host name reaches loopback through
 * {@code -Djdk.net.hosts.file} in JAVA_TOOL_OPTIONS, so the command line itself stays as written.
 *
 * <p>Runs in {@code integration-test} (maven-failsafe-plugin), after {@code package} built the jar.
 */
class DockerfileEntrypointIT {
  static final String DEX_HOST = "dex.example.com";
  static final int DEX_PORT = 32000;
  static final String IMAGE_JAR = "/app/kube-oidc-webhook.jar";
  static final String IMAGE_ARCHIVE = "/app/kube-oidc-webhook.jsa";
  static final String MOUNTS = "/etc/kube-oidc-webhook/";
  static final Path JAR = Path.of("target/kube-oidc-webhook.jar");
  static final Pattern LISTENING = Pattern.compile("listening on .*https://[^ :]+:(\\d+)");

  @TempDir Path dir;

  @Test
  void imageCommandLineServesTheMountedFilesAndAuthenticatesADexToken() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " is missing: this test runs after `package` (mvn verify)");
    try (DevIssuer dex = startDex()) {
      Path root = layOutMounts(dex);
      Path certs = dir.resolve("certs");

      Dockerfile image = Dockerfile.read();
      assertEquals("java", image.entrypoint().get(0), "ENTRYPOINT starts java from the PATH");
      Path archive = dir.resolve("kube-oidc-webhook.jsa");
      train(image, archive);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      for (String arg : image.commandLine().subList(1, image.commandLine().size())) {
        command.add(arg.replace(IMAGE_JAR, JAR.toAbsolutePath().toString()).replace(IMAGE_ARCHIVE, archive.toString())
            .replace(MOUNTS, root + "/"));
      }
      if (!free(8443)) {
        // the image's port is taken on this machine: the one change to the command line, made visibly
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
          port = s.getLocalPort();
        }
        System.out.println("port 8443 is in use here; appending --secure-port=" + port);
        command.add("--secure-port=" + port);
      }

      Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + DEX_HOST + "\n127.0.0.1 localhost\n");
      ProcessBuilder pb = new ProcessBuilder(command);
      // -Xshare:on: the JVM must map the archive the training step wrote, or refuse to start
      pb.environment().put("JAVA_TOOL_OPTIONS", "-Djdk.net.hosts.file=" + hosts + " -Xshare:on");
      Process webhook = pb.start();
      StringBuffer output = new StringBuffer();
      CompletableFuture<Integer> listening = new CompletableFuture<>();
      drain(webhook.getInputStream(), output, listening);
      drain(webhook.getErrorStream(), output, null);
      try {
        int port = awaitListening(webhook, listening, output);
        URI base = URI.create("https://127.0.0.1:" + port);

        // the kubelet's probes: no client certificate, and the serving certificate checked only by us
        Http probe = Http.tls(tls(certs.resolve("ca.crt"), null, null));
        try {
          Await.until("/readyz 200 (issuer keys loaded)", Duration.ofSeconds(30),
              () -> status(probe, base.resolve("/readyz")) == 200);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "; output:\n" + output, e);
        }
        assertEquals(200, probe.get(base.resolve("/livez")).status());

        // kube-apiserver: gencert.sh's client certificate, as the webhook kubeconfig presents it
        Http apiserver = Http.tls(tls(certs.resolve("ca.crt"), certs.resolve("apiserver-client.crt"),
            certs.resolve("apiserver-client.key")));
        Map<String, Object> claims = dex.claims("example-app", "CgNqYW5lEgVsb2NhbA");
        claims.put("email", "jane@example.com");
        claims.put("email_verified", true);
        claims.put("groups", List.of("developers"));
        Http.Response r = apiserver.review(base, "authentication.k8s.io/v1", dex.mint(claims));
        assertEquals(200, r.status(), r.body());
        JsonNode status = r.json().path("status");
        assertTrue(status.path("authenticated").asBoolean(), r.body());
        assertEquals("jane@example.com", status.at("/user/username").asText());
        assertEquals("[\"oidc:developers\"]", status.at("/user/groups").toString());

        // --client-ca-file is enforced where it matters
        assertEquals(401, probe.review(base, "authentication.k8s.io/v1", dex.mint(claims)).status());
      } finally {
        webhook.destroy(); // SIGTERM, as the kubelet stops a container
      }
      assertTrue(webhook.waitFor(20, TimeUnit.SECONDS), "exits within 20 s of SIGTERM\n" + output);
      int exit = webhook.exitValue();
      assertTrue(exit == 0 || exit == 143, "exit status after SIGTERM: " + exit + "\n" + output);
    }
  }

  /**
   * The image build's class-data training step ({@code RUN java -XX:ArchiveClassesAtExit=... demo --once}), word for
   * word but for the paths: it must exit 0 (its TokenReview authenticated) and leave the archive the ENTRYPOINT names.
   */
  void train(Dockerfile image, Path archive) throws Exception {
    List<String> step = image.runs().stream().filter(r -> r.stream().anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit=")))
        .findFirst().orElseThrow(() -> new AssertionError("no RUN step writes the class data archive"));
    assertEquals("-XX:ArchiveClassesAtExit=" + IMAGE_ARCHIVE, step.stream().filter(a -> a.startsWith("-XX:Archive")).findFirst().orElseThrow());
    assertTrue(image.entrypoint().contains("-XX:SharedArchiveFile=" + IMAGE_ARCHIVE), "the ENTRYPOINT maps the archive the build wrote");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : step.subList(1, step.size())) {
      command.add(arg.replace(IMAGE_JAR, JAR.toAbsolutePath().toString()).replace(IMAGE_ARCHIVE, archive.toString()));
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    StringBuffer output = new StringBuffer();
    drain(p.getInputStream(), output, null);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training run ends by itself\n" + output);
    assertEquals(0, p.exitValue(), "the training run's TokenReview authenticates\n" + output);
    assertTrue(output.toString().contains("\"authenticated\":true"), output.toString());
    assertTrue(Files.size(archive) > 1_000_000, "archive written: " + archive);
  }

  /** The issuer where the ConfigMap says Dex is; its certificate names dex.example.com. */
  static DevIssuer startDex() {
    if (!free(DEX_PORT)) {
      fail("port " + DEX_PORT + " is in use on this machine: this test serves its issuer where deploy/"
          + "authentication-config.yaml says Dex is (https://" + DEX_HOST + ":" + DEX_PORT + "); free the port");
    }
    DevIssuer dex = DevIssuer.start(DEX_HOST, DEX_PORT);
    assertEquals("https://dex.example.com:32000", dex.url());
    return dex;
  }

  /**
   * The pod's files under {@code dir/etc/kube-oidc-webhook}: config/ (the ConfigMap, with only
   * certificateAuthority added so the test issuer's CA is trusted), tls/ and client-ca/ (gencert.sh).
   */
  Path layOutMounts(DevIssuer dex) throws Exception {
    Path certs = dir.resolve("certs");
    Commands.gencert(certs);
    Path root = dir.resolve("etc/kube-oidc-webhook");
    YAMLMapper yaml = new YAMLMapper();
    ObjectNode config = (ObjectNode) yaml.readTree(Files.readString(Path.of("deploy/authentication-config.yaml")));
    assertTrue(config.at("/jwt/0/issuer/certificateAuthority").isMissingNode(), "the shipped config trusts the system CAs");
    ((ObjectNode) config.at("/jwt/0/issuer")).put("certificateAuthority", dex.caPem());
    copy(yaml.writeValueAsString(config), root.resolve("config/authentication-config.yaml"));
    copy(Files.readString(certs.resolve("tls.crt")), root.resolve("tls/tls.crt"));
    copy(Files.readString(certs.resolve("tls.key")), root.resolve("tls/tls.key"));
    copy(Files.readString(certs.resolve("client-ca.crt")), root.resolve("client-ca/ca.crt"));
    return root;
  }

  static void copy(String text, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.writeString(to, text);
  }

  static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Copies a stream into {@code output}; completes {@code listening} with the HTTPS port when that line shows. */
  static void drain(InputStream in, StringBuffer output, CompletableFuture<Integer> listening) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.append(line).append('\n');
          Matcher m = LISTENING.matcher(line);
          if (listening != null && m.find()) {
            listening.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        // the process went away
      }
      if (listening != null) {
        listening.completeExceptionally(new IllegalStateException("stdout closed before \"listening on\""));
      }
    }, "webhook-output");
    t.setDaemon(true);
    t.start();
  }

  static int awaitListening(Process webhook, CompletableFuture<Integer> listening, StringBuffer output)
      throws InterruptedException {
    try {
      return listening.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      webhook.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("no \"listening on https://...\" line (" + e.getMessage() + "); exit "
          + (webhook.isAlive() ? "none" : webhook.exitValue()) + "; output:\n" + output, e);
    }
  }

  static int status(Http client, URI uri) {
    try {
      return client.get(uri).status();
    } catch (Exception e) {
      return -1;
    }
  }

  /** TLS trusting {@code ca}, presenting the certificate and key from these files when given. */
  static SSLContext tls(Path ca, Path cert, Path key) throws Exception {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(Pem.trustStore(Pem.certificates(Files.readString(ca))));
    KeyManagerFactory kmf = null;
    if (cert != null) {
      KeyStore ks = Pem.keyStore(Pem.certificates(Files.readString(cert)), Pem.privateKey(Files.readString(key)), new char[0]);
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }
}
