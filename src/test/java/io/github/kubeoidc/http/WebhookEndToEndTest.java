package io.github.kubeoidc.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.testing.Http;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real server over real sockets, against a real HTTPS issuer: TokenReviews over plain HTTP and over
 * HTTPS (HTTP/2 by ALPN), v1 and v1beta1, and the health, readiness and metrics endpoints.
 */
class WebhookEndToEndTest {
  static final String AUD = "kubernetes";
  static final String V1 = "authentication.k8s.io/v1";
  static final String V1BETA1 = "authentication.k8s.io/v1beta1";

  @TempDir static Path dir;
  static DevIssuer issuer;
  static DevCa servingCa;
  static Webhook webhook;
  static URI http;
  static URI https;

  @BeforeAll
  static void start() throws Exception {
    issuer = DevIssuer.start();
    servingCa = new DevCa("webhook test CA");
    Configs.ServingTls tls = Configs.servingTls(dir, servingCa, "kube-oidc-webhook");
    Path cfg = Configs.write(dir, "authn.yaml", Configs.file(Configs.jwt(issuer, AUD)));
    webhook = Webhook.start(ConfigLoader.load(cfg), new ServerOptions("127.0.0.1", 0, tls.cert(), tls.key(), null, 0),
        Clock.systemUTC(), RemoteKeySource.DEFAULTS);
    https = webhook.urls().stream().filter(u -> u.getScheme().equals("https")).findFirst().orElseThrow();
    http = webhook.urls().stream().filter(u -> u.getScheme().equals("http")).findFirst().orElseThrow();
    Http client = Http.plain();
    Await.until("/readyz 200", Duration.ofSeconds(20), () -> status(client, http.resolve("/readyz")) == 200);
  }

  @AfterAll
  static void stop() {
    if (webhook != null) {
      webhook.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  static int status(Http client, URI uri) {
    try {
      return client.get(uri).status();
    } catch (Exception e) {
      return -1;
    }
  }

  static String token(Map<String, Object> overrides) {
    Map<String, Object> c = issuer.claims(AUD, "jane");
    c.put("groups", List.of("dev", "ops"));
    c.putAll(overrides);
    return issuer.mint(c);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {V1, V1BETA1})
  void goodTokenOverHttpIsAuthenticatedInTheRequestsApiVersion(String apiVersion) throws Exception {
    Http.Response r = Http.plain().review(http, apiVersion, token(Map.of("jti", "abc")));
    assertEquals(200, r.status());
    JsonNode j = r.json();
    assertEquals(apiVersion, j.get("apiVersion").asText());
    assertEquals("TokenReview", j.get("kind").asText());
    assertTrue(j.at("/status/authenticated").asBoolean());
    assertEquals("jane", j.at("/status/user/username").asText());
    assertEquals("[\"dev\",\"ops\"]", j.at("/status/user/groups").toString());
    assertEquals("[\"JTI=abc\"]", j.at("/status/user/extra/authentication.kubernetes.io~1credential-id").toString());
    assertTrue(j.at("/status/audiences").isMissingNode(), "status.audiences must stay empty");
    assertFalse(r.body().contains(".ey"), "the answer must not echo the token");
  }

  @Test
  void goodTokenOverHttpsUsesHttp2AndIsAuthenticated() throws Exception {
    Http.Response r = Http.tls(servingCa, null).review(https, V1, token(Map.of()));
    assertEquals(200, r.status());
    assertEquals(HttpClient.Version.HTTP_2, r.version());
    assertTrue(r.json().at("/status/authenticated").asBoolean());
  }

  @Test
  void expiredTokenIsRejectedWithAnError() throws Exception {
    long past = System.currentTimeMillis() / 1000 - 60;
    JsonNode j = Http.plain().review(http, V1, token(Map.of("exp", past))).json();
    assertFalse(j.at("/status/authenticated").asBoolean());
    assertTrue(j.at("/status/error").asText().startsWith("oidc: token is expired"), j.toString());
    assertTrue(j.at("/status/user").isMissingNode());
  }

  @Test
  void wrongAudienceIsRejectedWithAnError() throws Exception {
    JsonNode j = Http.plain().review(http, V1BETA1, token(Map.of("aud", "other"))).json();
    assertFalse(j.at("/status/authenticated").asBoolean());
    assertEquals("oidc: expected audience in [\"kubernetes\"] got [\"other\"]", j.at("/status/error").asText());
  }

  @Test
  void unknownIssuerIsNotMineWithoutError() throws Exception {
    JsonNode j = Http.plain().review(http, V1, token(Map.of("iss", "https://elsewhere.example.com"))).json();
    assertFalse(j.at("/status/authenticated").asBoolean());
    assertTrue(j.at("/status/error").isMissingNode(), j.toString());
  }

  @Test
  void opaqueTokenIsNotMineWithoutError() throws Exception {
    JsonNode j = Http.plain().review(http, V1, "abcdef0123456789").json();
    assertFalse(j.at("/status/authenticated").asBoolean());
    assertTrue(j.at("/status/error").isMissingNode(), j.toString());
  }

  @Test
  void tokenSignedByAnUnpublishedKeyIsRejected() throws Exception {
    com.nimbusds.jose.jwk.RSAKey stranger = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("stranger").generate();
    JsonNode j = Http.plain().review(http, V1, issuer.mint(stranger, issuer.claims(AUD, "mallory"))).json();
    assertFalse(j.at("/status/authenticated").asBoolean());
    assertEquals("oidc: no RS256 key with kid \"stranger\" in the issuer's key set", j.at("/status/error").asText());
  }

  @Test
  void requestThatIsNotATokenReviewGets400WithJson() throws Exception {
    Http c = Http.plain();
    URI u = http.resolve("/authenticate");
    assertEquals(400, c.post(u, "application/json", "").status());
    assertEquals(400, c.post(u, "application/json", "not json").status());
    assertEquals(400, c.post(u, "application/json", "[]").status());
    Http.Response wrongKind = c.post(u, "application/json",
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"spec\":{\"token\":\"x\"}}");
    assertEquals(400, wrongKind.status());
    assertEquals("kind must be TokenReview", wrongKind.json().get("error").asText());
    Http.Response wrongVersion = c.post(u, null,
        "{\"apiVersion\":\"authentication.k8s.io/v2\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"x\"}}");
    assertEquals(400, wrongVersion.status());
    Http.Response badJson = c.post(u, "application/json", "{\"apiVersion\": eyJhbGciOiJSUzI1NiJ9.secret}");
    assertEquals(400, badJson.status());
    assertFalse(badJson.body().contains("secret"), "an error must not quote the request body");
  }

  @Test
  void requestWithoutContentTypeIsAccepted() throws Exception {
    String body = "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token(Map.of()) + "\"}}";
    Http.Response r = Http.plain().post(http.resolve("/authenticate"), null, body);
    assertEquals(200, r.status());
    assertTrue(r.json().at("/status/authenticated").asBoolean());
  }

  @Test
  void oversizedBodyIsRefusedWith413() throws Exception {
    String big = "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + "a".repeat(2 << 20) + "\"}}";
    assertEquals(413, Http.plain().post(http.resolve("/authenticate"), "application/json", big).status());
  }

  @Test
  void healthEndpointsAnswer200AndMetricsCountReviews() throws Exception {
    Http c = Http.plain();
    assertEquals(200, c.get(http.resolve("/healthz")).status());
    assertEquals(200, c.get(http.resolve("/livez")).status());
    Http.Response ready = c.get(http.resolve("/readyz"));
    assertEquals(200, ready.status());
    assertEquals("ready", ready.json().get("status").asText());
    c.review(http, V1, token(Map.of()));
    String metrics = c.get(http.resolve("/metrics")).body();
    assertTrue(metrics.contains("kube_oidc_webhook_tokenreviews_total{issuer=\"" + issuer.url()
        + "\",reason=\"none\",result=\"authenticated\"}"), metrics);
    assertTrue(metrics.contains("kube_oidc_webhook_issuer_keys{issuer=\"" + issuer.url() + "\"} 1.0"), metrics);
    assertTrue(metrics.contains("jvm_memory_used_bytes"));
  }

  @Test
  void wrongMethodIsA4xx() throws Exception {
    int s = Http.plain().get(http.resolve("/authenticate")).status();
    assertTrue(s == 405 || s == 404, "got " + s);
  }

  /** A TLS client restricted to one protocol and, optionally, one cipher suite; true when the handshake succeeds. */
  static boolean handshake(String protocol, String suite) throws Exception {
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(io.github.kubeoidc.tls.Pem.trustStore(List.of(servingCa.certificate())));
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(https.getHost(), https.getPort())) {
      s.setEnabledProtocols(new String[] {protocol});
      if (suite != null) {
        s.setEnabledCipherSuites(new String[] {suite});
      }
      s.startHandshake();
      return true;
    } catch (javax.net.ssl.SSLException e) {
      return false;
    }
  }

  @Test
  void tlsIsVersion12Or13WithForwardSecretAeadSuitesOnly() throws Exception {
    assertTrue(handshake("TLSv1.3", null));
    assertTrue(handshake("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    assertFalse(handshake("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"), "CBC suites are refused");
    assertFalse(handshake("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"), "SHA-1 CBC suites are refused");
  }

  @Test
  void servingKeyFilesCanBeReadBack() throws Exception {
    // guards the fixture itself: the serving key is PKCS#8 PEM as kube tooling writes it
    assertTrue(Files.readString(dir.resolve("tls.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
  }
}
