package io.github.kubeoidc.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.metrics.Metrics;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.NonBlocking;
import io.github.kubeoidc.token.Reason;
import io.github.kubeoidc.token.StepListener;
import io.github.kubeoidc.token.TokenAuthenticator;
import io.github.kubeoidc.token.UserInfo;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The endpoints served on Jetty's core API ({@link CoreRoutes}, {@link TokenReviewHandler}) over real sockets,
 * with a stand-in authenticator: bodies in one piece, in several, chunked, too large; methods, probes, and the
 * rule that nothing waits on Jetty's I/O thread.
 */
class CoreRoutesTest {
  static final String V1 = "authentication.k8s.io/v1";
  static final Duration IDLE = Duration.ofSeconds(1);

  /**
   * Authenticates "good-<name>" as that user. A "block-" token stands for one whose verification waits on the
   * network (a key refetch): it says so ({@link NonBlocking#mayBlock()}), then waits until {@link #release} opens.
   */
  static final class Probe implements TokenAuthenticator {
    final AtomicInteger calls = new AtomicInteger();
    volatile CountDownLatch release = new CountDownLatch(0);

    @Override
    public AuthResult authenticate(String token, StepListener l) {
      calls.incrementAndGet();
      if (token.startsWith("block-")) {
        NonBlocking.mayBlock();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        token = "good-" + token.substring(6);
      }
      if (token.startsWith("good-")) {
        return new AuthResult.Authenticated(new UserInfo(token.substring(5), "", List.of("g"), Map.of()),
            "https://issuer", Instant.now().plusSeconds(60));
      }
      return new AuthResult.Rejected(Reason.INVALID_SIGNATURE, "oidc: failed to verify signature", "https://issuer");
    }
  }

  static Probe probe = new Probe();
  static WebhookServer server;
  static URI base;

  @BeforeAll
  static void start() {
    System.setProperty("kubeoidc.selectors", "1"); // one I/O thread, so a test can tell whether it is ever held
    try {
      server = new WebhookServer(new ServerOptions("127.0.0.1", 0, null, null, null, 0, false, IDLE), () -> probe,
          List::of, new Metrics());
      base = server.start().get(0);
    } finally {
      System.clearProperty("kubeoidc.selectors");
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String review(String token) {
    return "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}";
  }

  /** Sends raw bytes in pieces (with a pause between them) on one connection; returns the raw answer. */
  static String raw(List<byte[]> pieces, Duration pause) throws Exception {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      for (byte[] p : pieces) {
        out.write(p);
        out.flush();
        Thread.sleep(pause.toMillis());
      }
      InputStream in = s.getInputStream();
      byte[] all = in.readAllBytes(); // "Connection: close" below: the server closes after its answer
      return new String(all, StandardCharsets.UTF_8);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void bodyArrivingInSeveralPiecesIsGatheredAndAnswered() throws Exception {
    byte[] body = ascii(review("good-jane"));
    String head = "POST /authenticate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n";
    List<byte[]> pieces = new ArrayList<>(List.of(ascii(head)));
    for (int i = 0; i < body.length; i += 7) {
      pieces.add(java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + 7)));
    }
    String answer = raw(pieces, Duration.ofMillis(2));
    assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    assertTrue(answer.contains("\"authenticated\":true,\"user\":{\"username\":\"jane\",\"groups\":[\"g\"]}"), answer);
  }

  @Test
  void chunkedBodyIsAnswered() throws Exception {
    String body = review("good-chunked");
    String chunked = "POST /authenticate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
        + Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n";
    String answer = raw(List.of(ascii(chunked)), Duration.ZERO);
    assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    assertTrue(answer.contains("\"username\":\"chunked\""), answer);
  }

  @Test
  void oversizedChunkedBodyIs413() throws Exception {
    byte[] big = new byte[(int) ServerOptions.MAX_REQUEST_BYTES + 1];
    java.util.Arrays.fill(big, (byte) 'a');
    HttpRequest req = HttpRequest.newBuilder(base.resolve("/authenticate"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))) // no length: chunked
        .header("Content-Type", "application/json").build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    assertEquals(413, r.statusCode());
    assertEquals("{\"error\":\"request body exceeds 1048576 bytes\"}", r.body());
  }

  @Test
  void declaredLengthPastTheDrainLimitIs413AtOnceAndCloses() throws Exception {
    String head = "POST /authenticate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + (TokenReviewHandler.DRAIN_LIMIT + 1) + "\r\n\r\n{";
    String answer = raw(List.of(ascii(head)), Duration.ZERO); // returns: the server closed without waiting for the body
    assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
    assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
    assertTrue(answer.endsWith("{\"error\":\"request body exceeds 1048576 bytes\"}"), answer);
  }

  @Test
  void bodyThatStallsGets408AndTheConnectionCloses() throws Exception {
    String head = "POST /authenticate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"apiVersion\"";
    long start = System.nanoTime();
    String answer = raw(List.of(ascii(head)), Duration.ZERO);
    assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
    assertTrue(answer.contains("request body not received within the idle timeout"), answer);
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(8)) < 0);
  }

  @Test
  void otherMethodsOnAuthenticateAre405WithAllow() throws Exception {
    for (String method : List.of("GET", "PUT", "DELETE")) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/authenticate"))
          .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, r.statusCode(), method);
      assertEquals("POST", r.headers().firstValue("Allow").orElse(""), method);
      assertEquals("{\"error\":\"method " + method + " is not allowed; POST a TokenReview\"}", r.body());
    }
  }

  @Test
  void livenessProbesAreOkAndOtherPathsReachJavalin() throws Exception {
    HttpClient c = HttpClient.newHttpClient();
    for (String path : List.of("/healthz", "/livez")) {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path);
      assertEquals("ok", r.body(), path);
      HttpResponse<String> head = c.send(HttpRequest.newBuilder(base.resolve(path)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, head.statusCode(), path);
      assertEquals("", head.body(), path);
      HttpResponse<String> post = c.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(review("good-x"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals("200 ok", post.statusCode() + " " + post.body(), path + ": the no-op floor of bench/load.sh");
    }
    HttpResponse<String> ready = c.send(HttpRequest.newBuilder(base.resolve("/readyz")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ready.statusCode()); // no issuers: nothing is missing keys
    assertEquals(404, c.send(HttpRequest.newBuilder(base.resolve("/nothing-here")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    HttpResponse<String> metrics = c.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("jvm_memory_used_bytes"));
  }

  @Test
  void requestIdIsEchoedWhenPlainAndReplacedWhenNot() throws Exception {
    HttpClient c = HttpClient.newHttpClient();
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/authenticate"))
        .POST(HttpRequest.BodyPublishers.ofString(review("good-a")));
    String echoed = c.send(b.copy().header("X-Request-Id", "abc-123").build(), HttpResponse.BodyHandlers.ofString())
        .headers().firstValue("X-Request-Id").orElse("");
    assertEquals("abc-123", echoed);
    String fromAudit = c.send(b.copy().header("Audit-ID", "5f1e2d3c-aaaa").build(), HttpResponse.BodyHandlers.ofString())
        .headers().firstValue("X-Request-Id").orElse("");
    assertEquals("5f1e2d3c-aaaa", fromAudit);
    String replaced = c.send(b.copy().header("X-Request-Id", "bad id with spaces").build(), HttpResponse.BodyHandlers.ofString())
        .headers().firstValue("X-Request-Id").orElse("");
    assertTrue(replaced.matches("[0-9a-f]{16}"), replaced);
  }

  /**
   * Reviews run on Jetty's I/O thread (one here), which must never wait: a review that would (its verification
   * needs a key refetch from a hung issuer, say) moves to a worker, and every other connection keeps being served.
   */
  @Test
  void aReviewThatWouldBlockLeavesTheIoThreadFree() throws Exception {
    probe.release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> blocked = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String token = "block-" + i;
        blocked.add(pool.submit(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/authenticate"))
            .POST(HttpRequest.BodyPublishers.ofString(review(token))).build(), HttpResponse.BodyHandlers.ofString()).statusCode()));
      }
      Thread.sleep(200); // the blocked reviews have arrived and wait
      for (int i = 0; i < 20; i++) {
        HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(); // a new connection each
        HttpResponse<String> r = fresh.send(HttpRequest.newBuilder(base.resolve("/authenticate")).timeout(Duration.ofSeconds(2))
            .POST(HttpRequest.BodyPublishers.ofString(review("good-u" + i))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"username\":\"u" + i + "\""), r.body());
      }
      assertTrue(blocked.stream().noneMatch(Future::isDone), "the blocked reviews are still waiting");
      probe.release.countDown();
      for (Future<Integer> f : blocked) {
        assertEquals(200, f.get(10, TimeUnit.SECONDS));
      }
    } finally {
      probe.release.countDown();
      pool.shutdownNow();
    }
  }
}
