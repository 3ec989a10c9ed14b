package io.github.kubeoidc.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.app.RuntimeOptions;
import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.KeyStatus;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.metrics.Metrics;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.NonBlocking;
import io.github.kubeoidc.token.TokenAuthenticator;
import io.github.kubeoidc.token.UserInfo;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.testing.Http;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TokenReviews over HTTP/2 with the answer cache on, as kube-apiserver sends them: cached answers and tokens
 * refused on their shape are answered on the connection's thread, signature checks on the worker pool
 * ({@code NonBlocking.callCheap}); every answer is the same either way.
 */
class Http2ReviewsTest {
  static final String V1 = "authentication.k8s.io/v1";
  @TempDir static Path dir;
  static DevIssuer issuer;
  static DevCa servingCa;
  static Webhook webhook;
  static URI https;

  @BeforeAll
  static void start() throws Exception {
    issuer = DevIssuer.start();
    servingCa = new DevCa("h2 test CA");
    Configs.ServingTls tls = Configs.servingTls(dir, servingCa, "kube-oidc-webhook");
    Path cfg = Configs.write(dir, "authn.yaml", Configs.file(Configs.jwt(issuer, "kubernetes")));
    webhook = Webhook.start(ConfigLoader.load(cfg), new ServerOptions("127.0.0.1", 0, tls.cert(), tls.key(), null, null),
        new RuntimeOptions(Clock.systemUTC(), RemoteKeySource.DEFAULTS, Duration.ofMinutes(2), true, 65536));
    https = webhook.urls().get(0);
    Await.until("keys", Duration.ofSeconds(20), () -> webhook.wiring().keyStatuses().stream().allMatch(KeyStatus::ready));
  }

  @AfterAll
  static void stop() {
    webhook.close();
    issuer.close();
  }

  static String token(String user, Map<String, Object> overrides) {
    Map<String, Object> c = issuer.claims("kubernetes", user);
    c.putAll(overrides);
    return issuer.mint(c);
  }

  @Test
  void repeatedTokenIsAnsweredTheSameFromTheCache() throws Exception {
    Http client = Http.tls(servingCa, null);
    String t = token("jane", Map.of());
    Http.Response first = client.review(https, V1, t); // verified on a worker, then cached
    assertEquals(HttpClient.Version.HTTP_2, first.version());
    assertTrue(first.json().at("/status/authenticated").asBoolean(), first.body());
    for (int i = 0; i < 3; i++) {
      Http.Response again = client.review(https, V1, t); // a cache hit, answered inline
      assertEquals(first.body(), again.body());
    }
    Http.Response expired = client.review(https, V1, token("jane", Map.of("exp", System.currentTimeMillis() / 1000 - 60)));
    assertFalse(expired.json().at("/status/authenticated").asBoolean());
    assertTrue(expired.json().at("/status/error").asText().contains("expired"), expired.body());
    Http.Response notJwt = client.review(https, V1, "not-a-jwt");
    assertEquals(200, notJwt.status());
    assertFalse(notJwt.json().at("/status/authenticated").asBoolean());
  }

  /** Many streams on one connection at once, new and repeated tokens mixed: each gets its own user. */
  @Test
  void multiplexedReviewsOnOneConnectionEachGetTheirOwnAnswer() throws Exception {
    Http client = Http.tls(servingCa, null);
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      tokens.add(token("user-" + i, Map.of()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < tokens.size(); i++) {
          int k = i;
          all.add(CompletableFuture.runAsync(() -> {
            try {
              Http.Response r = client.review(https, V1, tokens.get(k));
              assertEquals(HttpClient.Version.HTTP_2, r.version());
              assertEquals("user-" + k, r.json().at("/status/user/username").asText(), r.body());
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          }, pool));
        }
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    } finally {
      pool.shutdown();
    }
  }

  /**
   * No head-of-line blocking on one HTTP/2 connection (one I/O thread here): while reviews wait in their signature
   * check, later reviews on the same connection are answered. Fails if a connection's reviews ran one after another.
   */
  @Test
  void reviewsWaitingInASignatureCheckDoNotHoldTheirConnection() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger waiting = new AtomicInteger();
    TokenAuthenticator probe = (token, l) -> {
      if (token.startsWith("verify-")) {
        NonBlocking.mayVerify(); // where IssuerAuthenticator checks a signature
        waiting.incrementAndGet();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return new AuthResult.Authenticated(new UserInfo(token, "", List.of(), Map.of()), "https://issuer",
          Instant.now().plusSeconds(60));
    };
    Configs.ServingTls tls = Configs.servingTls(Files.createDirectories(dir.resolve("probe")), servingCa, "localhost");
    System.setProperty("kubeoidc.selectors", "1");
    WebhookServer server;
    try {
      server = new WebhookServer(new ServerOptions("127.0.0.1", 0, tls.cert(), tls.key(), null, null), () -> probe,
          List::of, new Metrics());
    } finally {
      System.clearProperty("kubeoidc.selectors");
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      URI base = server.start().get(0);
      Http client = Http.tls(servingCa, null); // one HTTP/2 connection for every review below
      assertEquals(HttpClient.Version.HTTP_2, client.review(base, V1, "warm-up").version());
      List<CompletableFuture<Http.Response>> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String t = "verify-" + i;
        held.add(CompletableFuture.supplyAsync(() -> {
          try {
            return client.review(base, V1, t);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }, pool));
      }
      Await.until("the held reviews reach their signature check", Duration.ofSeconds(10), () -> waiting.get() == 3);
      for (int i = 0; i < 10; i++) {
        Http.Response r = client.review(base, V1, "cheap-" + i);
        assertEquals("cheap-" + i, r.json().at("/status/user/username").asText(), r.body());
      }
      assertTrue(held.stream().noneMatch(CompletableFuture::isDone), "the held reviews are still waiting");
      release.countDown();
      for (CompletableFuture<Http.Response> f : held) {
        assertTrue(f.get(10, TimeUnit.SECONDS).json().at("/status/authenticated").asBoolean());
      }
    } finally {
      release.countDown();
      pool.shutdownNow();
      server.close();
    }
  }
}
