package io.github.kubeoidc.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.testing.Http;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests no kube-apiserver sends: each gets a 4xx or a clean close within seconds, never a 5xx or a hang,
 * and good requests keep being answered throughout. All traffic stays on loopback and is bounded.
 */
class HostileRequestsTest {
  static final String V1 = "authentication.k8s.io/v1";
  static final Duration IDLE = Duration.ofSeconds(1);

  @TempDir static Path dir;
  static DevIssuer issuer;
  static Webhook webhook;
  static URI base;

  @BeforeAll
  static void start() throws Exception {
    issuer = DevIssuer.start();
    Path cfg = Configs.write(dir, "a.yaml", Configs.file(Configs.jwt(issuer, "k8s")));
    webhook = Webhook.start(ConfigLoader.load(cfg),
        new ServerOptions("127.0.0.1", 0, null, null, null, 0, false, IDLE), Clock.systemUTC(), RemoteKeySource.DEFAULTS);
    base = webhook.urls().get(0);
    Await.until("keys", Duration.ofSeconds(20), () -> webhook.wiring().keyStatuses().get(0).ready());
  }

  @AfterAll
  static void stop() {
    webhook.close();
    issuer.close();
  }

  static String review(String token) {
    return "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}";
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"})
  void wrongContentTypeIs415(String type) throws Exception {
    assertEquals(415, Http.plain().post(base.resolve("/authenticate"), type, review("x.y.z")).status());
  }

  @Test
  void jsonContentTypeWithCharsetIsAccepted() throws Exception {
    Http.Response r = Http.plain().post(base.resolve("/authenticate"), "application/json; charset=utf-8",
        review(issuer.mint(issuer.claims("k8s", "jane"))));
    assertEquals(200, r.status());
    assertTrue(r.json().at("/status/authenticated").asBoolean());
  }

  @Test
  void deeplyNestedJsonIs400() throws Exception {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertEquals(400, Http.plain().post(base.resolve("/authenticate"), "application/json",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"x\",\"extra\":" + deep + "}}").status());
  }

  @Test
  void duplicateMembersAre400() throws Exception {
    assertEquals(400, Http.plain().post(base.resolve("/authenticate"), "application/json",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"a\",\"token\":\"b\"}}").status());
  }

  @Test
  void wrongMethodsAre4xx() throws Exception {
    for (String method : List.of("PUT", "DELETE", "PATCH")) {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(base.resolve("/authenticate"))
              .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(review("x"))).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, method + " got " + r.statusCode());
    }
  }

  @Test
  void slowClientIsDisconnectedAfterTheIdleTimeout() throws Exception {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("POST /authenticate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"apiVersion\"".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long start = System.nanoTime();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n; // a 408/400 answer or nothing, then the close
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 8_000, "closed after " + ms + " ms (" + total + " bytes)");
      String answer = new String(buf, 0, Math.max(0, Math.min(total, buf.length)), StandardCharsets.US_ASCII);
      assertTrue(total == 0 || !answer.startsWith("HTTP/1.1 5"), "never a 5xx: " + answer);
    }
  }

  @Test
  void aBurstOfMixedRequestsGetsNo5xxAndGoodTokensStayAuthenticated() throws Exception {
    List<String> good = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      good.add(issuer.mint(issuer.claims("k8s", "user-" + i)));
    }
    List<String> bad = List.of("", "not json", "{}", "[]", review("x.y.z"), review("Bearer " + good.get(0)),
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":" + "[".repeat(200) + "]".repeat(200) + "}}",
        review("a".repeat(100_000)));
    // Idle connections held open while the burst runs.
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      idle.add(new Socket(base.getHost(), base.getPort()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(32);
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    AtomicInteger authenticated = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    Http client = Http.plain();
    for (int i = 0; i < 600; i++) {
      int k = i;
      futures.add(pool.submit(() -> {
        boolean isGood = k % 3 == 0;
        String body = isGood ? review(good.get(k % good.size())) : bad.get(k % bad.size());
        Http.Response r = client.post(base.resolve("/authenticate"), "application/json", body);
        statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
        if (isGood && r.status() == 200 && r.json().at("/status/authenticated").asBoolean()) {
          authenticated.incrementAndGet();
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    for (Socket s : idle) {
      s.close();
    }
    assertTrue(statuses.keySet().stream().allMatch(s -> s < 500), "statuses: " + statuses);
    assertEquals(200, authenticated.get(), "every good token authenticated during the burst: " + statuses);
    assertEquals(200, Http.plain().get(base.resolve("/healthz")).status());
  }
}
