package io.github.kubeoidc.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.http.ServerOptions;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.testing.Http;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration and serving-certificate changes taken while serving, as Kubernetes delivers them. */
class ReloadTest {
  static final String V1 = "authentication.k8s.io/v1";
  static final Duration FAST_WATCH = Duration.ofMillis(100);

  @TempDir Path dir;
  DevIssuer a;
  DevIssuer b;

  @BeforeEach
  void issuers() {
    a = DevIssuer.start();
    b = DevIssuer.start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  static boolean authenticated(URI base, String token) {
    try {
      return Http.plain().review(base, V1, token).json().at("/status/authenticated").asBoolean();
    } catch (Exception e) {
      return false;
    }
  }

  static String metric(URI base, String prefix) throws Exception {
    return Http.plain().get(base.resolve("/metrics")).body().lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
  }

  /**
   * The ConfigMap layout: {@code authn.yaml -> ..data/authn.yaml}, {@code ..data -> ..v1}; an update
   * writes {@code ..v2} and swaps {@code ..data} atomically.
   */
  Path configMap(String text, String version) throws Exception {
    Path versionDir = Files.createDirectories(dir.resolve(".." + version));
    Files.writeString(versionDir.resolve("authn.yaml"), text);
    Path tmp = dir.resolve("..data_tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, versionDir.getFileName());
    Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Path link = dir.resolve("authn.yaml");
    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, Path.of("..data", "authn.yaml"));
    }
    return link;
  }

  @Test
  void configMapSwapAddsAnIssuerKeepsTheOldKeysAndRefusesABadFile() throws Exception {
    Path cfg = configMap(Configs.file(Configs.jwt(a, "k8s")), "v1");
    try (Webhook w = Webhook.start(ConfigLoader.load(cfg), new ServerOptions("127.0.0.1", 0, null, null, null, 0),
        RuntimeOptions.uncached(Clock.systemUTC(), IssuerAvailabilityTest.FAST))) {
      URI base = w.urls().get(0);
      w.watch(cfg, FAST_WATCH);
      String tokenA = a.mint(a.claims("k8s", "jane"));
      String tokenB = b.mint(b.claims("k8s", "joe"));
      Await.until("issuer a ready", Duration.ofSeconds(20), () -> authenticated(base, tokenA));
      assertFalse(authenticated(base, tokenB), "b is not configured yet");
      int discoveriesOfA = a.discoveryFetches();

      configMap(Configs.file(Configs.jwt(a, "k8s"), Configs.jwt(b, "k8s")), "v2");
      Await.until("b served after the swap", Duration.ofSeconds(20), () -> authenticated(base, tokenB));
      assertTrue(authenticated(base, tokenA));
      assertEquals(discoveriesOfA, a.discoveryFetches(), "a's key source was kept, keys and all");
      assertEquals(200, Http.plain().get(base.resolve("/readyz")).status());

      configMap("apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n- issuer: {url: http://x}\n", "v3");
      Await.until("refusal counted", Duration.ofSeconds(20), () -> {
        try {
          return metric(base, "kube_oidc_webhook_reloads_total{result=\"failure\",what=\"config\"}").endsWith(" 1.0");
        } catch (Exception e) {
          return false;
        }
      });
      assertTrue(authenticated(base, tokenA), "the previous configuration still serves");
      assertTrue(authenticated(base, tokenB));
      assertTrue(metric(base, "kube_oidc_webhook_reloads_total{result=\"success\",what=\"config\"}").endsWith(" 1.0"));

      configMap(Configs.file(Configs.jwt(b, "k8s")), "v4");
      Await.until("a removed", Duration.ofSeconds(20), () -> !authenticated(base, tokenA));
      assertTrue(authenticated(base, tokenB));
      assertTrue(metric(base, "kube_oidc_webhook_issuer_keys{issuer=\"" + a.url() + "\"}").isEmpty(),
          "the series of a removed issuer are dropped");
      assertFalse(metric(base, "kube_oidc_webhook_issuer_keys{issuer=\"" + b.url() + "\"}").isEmpty());
    }
  }

  static BigInteger servedSerial(URI base, DevCa ca) throws Exception {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(io.github.kubeoidc.tls.Pem.trustStore(List.of(ca.certificate())));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    HttpsURLConnection c = (HttpsURLConnection) base.resolve("/healthz").toURL().openConnection();
    c.setSSLSocketFactory(ctx.getSocketFactory());
    c.getResponseCode();
    BigInteger serial = ((X509Certificate) c.getServerCertificates()[0]).getSerialNumber();
    c.disconnect();
    return serial;
  }

  @Test
  void servingCertificateIsReloadedAndAMismatchedPairIsRefused() throws Exception {
    DevCa ca = new DevCa("serving");
    DevCa.Issued first = ca.server("webhook", List.of("localhost"), List.of("127.0.0.1"));
    DevCa.Issued second = ca.server("webhook", List.of("localhost"), List.of("127.0.0.1"));
    Path crt = Configs.write(dir, "tls.crt", first.certificatePem());
    Path key = Configs.write(dir, "tls.key", first.privateKeyPem());
    Path cfg = Configs.write(dir, "authn.yaml", Configs.file(Configs.jwt(a, "k8s")));
    try (Webhook w = Webhook.start(ConfigLoader.load(cfg), new ServerOptions("127.0.0.1", 0, crt, key, null, null),
        RuntimeOptions.uncached(Clock.systemUTC(), IssuerAvailabilityTest.FAST))) {
      URI base = w.urls().get(0);
      w.watch(null, FAST_WATCH);
      assertEquals(first.certificate().getSerialNumber(), servedSerial(base, ca));

      // a half-written rotation: new certificate, old key
      Files.writeString(crt, second.certificatePem());
      Thread.sleep(500);
      assertEquals(first.certificate().getSerialNumber(), servedSerial(base, ca), "a mismatched pair is never served");

      Files.writeString(key, second.privateKeyPem());
      Await.until("new certificate served", Duration.ofSeconds(20), () -> {
        try {
          return servedSerial(base, ca).equals(second.certificate().getSerialNumber());
        } catch (Exception e) {
          return false;
        }
      });
    }
  }
}
