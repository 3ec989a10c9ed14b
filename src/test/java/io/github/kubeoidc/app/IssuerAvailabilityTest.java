package io.github.kubeoidc.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.http.ServerOptions;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.testing.Http;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issuers that are down, come up, or are one of several; and client certificates on HTTPS. */
class IssuerAvailabilityTest {
  static final String V1 = "authentication.k8s.io/v1";
  /** Fast retries so the test does not wait on production backoff. */
  static final RemoteKeySource.Settings FAST = new RemoteKeySource.Settings(Duration.ofMillis(50), Duration.ofMillis(200),
      Duration.ofMillis(100), Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(5));

  @TempDir Path dir;

  @Test
  void issuerDownAtStartIsNotReadyThenBecomesReadyWithoutRestart() throws Exception {
    try (DevIssuer down = DevIssuer.start(); DevIssuer up = DevIssuer.start()) {
      int port = down.port();
      down.stop();
      Path cfg = Configs.write(dir, "a.yaml", Configs.file(Configs.jwt(down, "k8s"), Configs.jwt(up, "k8s")));
      try (Webhook w = Webhook.start(ConfigLoader.load(cfg), new ServerOptions("127.0.0.1", 0, null, null, null, 0),
          Clock.systemUTC(), FAST)) {
        URI base = w.urls().get(0);
        Http c = Http.plain();
        Await.until("the reachable issuer has keys", Duration.ofSeconds(20),
            () -> w.wiring().keyStatuses().stream().anyMatch(s -> s.issuer().equals(up.url()) && s.ready()));

        Http.Response ready = c.get(base.resolve("/readyz"));
        assertEquals(503, ready.status());
        assertEquals("[\"" + down.url() + "\"]", ready.json().get("issuersWithoutKeys").toString());

        JsonNode rejected = c.review(base, V1, down.mint(down.claims("k8s", "jane"))).json();
        assertFalse(rejected.at("/status/authenticated").asBoolean());
        assertTrue(rejected.at("/status/error").asText().startsWith("oidc: authenticator not initialized"), rejected.toString());
        JsonNode other = c.review(base, V1, up.mint(up.claims("k8s", "joe"))).json();
        assertTrue(other.at("/status/authenticated").asBoolean(), "the other issuer keeps working: " + other);

        down.listen(port);
        Await.until("/readyz 200 once the issuer is back", Duration.ofSeconds(20), () -> {
          try {
            return c.get(base.resolve("/readyz")).status() == 200;
          } catch (Exception e) {
            return false;
          }
        });
        JsonNode ok = c.review(base, V1, down.mint(down.claims("k8s", "jane"))).json();
        assertTrue(ok.at("/status/authenticated").asBoolean(), ok.toString());
      }
    }
  }

  @Test
  void discoveryNamingAnotherIssuerNeverBecomesReady() throws Exception {
    try (DevIssuer liar = DevIssuer.start()) {
      liar.advertiseIssuer("https://evil.example.com");
      Path cfg = Configs.write(dir, "a.yaml", Configs.file(Configs.jwt(liar, "k8s")));
      try (Wiring w = Wiring.build(ConfigLoader.load(cfg), Clock.systemUTC(), FAST)) {
        w.loadKeysNow();
        assertFalse(w.keyStatuses().get(0).ready());
        assertTrue(w.keyStatuses().get(0).lastError().contains("names issuer \"https://evil.example.com\""),
            w.keyStatuses().get(0).lastError());
      }
    }
  }

  @Test
  void issuerServingACertificateFromAnotherCaIsNotTrusted() throws Exception {
    try (DevIssuer issuer = DevIssuer.start()) {
      Path cfg = Configs.write(dir, "a.yaml",
          Configs.file(Configs.jwt(issuer.url(), new DevCa("unrelated").certificatePem(), "k8s")));
      try (Wiring w = Wiring.build(ConfigLoader.load(cfg), Clock.systemUTC(), FAST)) {
        w.loadKeysNow();
        assertFalse(w.keyStatuses().get(0).ready(), "keys must not load over an untrusted TLS connection");
        assertTrue(w.keyStatuses().get(0).lastError().contains("SSLHandshakeException"), w.keyStatuses().get(0).lastError());
      }
    }
  }

  @Test
  void clientCaRequiresACertificateForAuthenticateButNotForProbes() throws Exception {
    try (DevIssuer issuer = DevIssuer.start()) {
      DevCa serving = new DevCa("serving");
      DevCa clients = new DevCa("clients");
      Configs.ServingTls tls = Configs.servingTls(dir, serving, "webhook");
      Path clientCa = Configs.write(dir, "client-ca.crt", clients.certificatePem());
      Path cfg = Configs.write(dir, "a.yaml", Configs.file(Configs.jwt(issuer, "k8s")));
      try (Webhook w = Webhook.start(ConfigLoader.load(cfg), new ServerOptions("127.0.0.1", 0, tls.cert(), tls.key(), clientCa, null),
          Clock.systemUTC(), FAST)) {
        URI base = w.urls().get(0);
        assertEquals("https", base.getScheme());
        Await.until("keys", Duration.ofSeconds(20), () -> w.wiring().keyStatuses().get(0).ready());
        String token = issuer.mint(issuer.claims("k8s", "jane"));

        Http anonymous = Http.tls(serving, null);
        assertEquals(401, anonymous.review(base, V1, token).status());
        assertEquals(200, anonymous.get(base.resolve("/healthz")).status());

        Http apiserver = Http.tls(serving, clients.client("kube-apiserver"));
        Http.Response r = apiserver.review(base, V1, token);
        assertEquals(200, r.status());
        assertTrue(r.json().at("/status/authenticated").asBoolean());

        Http stranger = Http.tls(serving, new DevCa("other").client("intruder"));
        boolean refused;
        try {
          refused = stranger.review(base, V1, token).status() != 200;
        } catch (java.io.IOException e) {
          refused = true; // TLS handshake refused
        }
        assertTrue(refused, "a certificate from another CA must not get an answer");
      }
    }
  }
}
