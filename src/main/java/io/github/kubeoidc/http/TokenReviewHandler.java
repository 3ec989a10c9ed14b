package io.github.kubeoidc.http;

import io.github.kubeoidc.metrics.Metrics;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.NonBlocking;
import io.github.kubeoidc.token.Reason;
import io.github.kubeoidc.token.TokenAuthenticator;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /authenticate} on Jetty's core API: read the body without blocking, decode the TokenReview,
 * authenticate its token, answer in the same apiVersion. A token is always answered with HTTP 200 (a non-200
 * is a transport error to kube-apiserver, which retries); only a body that is not a TokenReview gets a 4xx.
 *
 * <p>Jetty calls {@link #handle} on its I/O thread (see {@link CoreRoutes}), and nothing here blocks: the body is
 * read as it arrives, and the verification, which is CPU work, runs right there under {@link NonBlocking}'s
 * mark. The two steps of the pipeline that wait on the network (a key refetch for an unknown {@code kid}, a
 * distributed claim) refuse to run under that mark, and the review moves to the worker pool. Over HTTP/2 the mark
 * is stricter ({@link NonBlocking#callCheap}): the signature check moves too, so that one multiplexed connection
 * is verified on every core while its cached answers go out at once.
 */
final class TokenReviewHandler {
  private static final Logger LOG = LoggerFactory.getLogger("tokenreview");

  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Supplier<TokenAuthenticator> authenticator;
  private final Metrics metrics;
  private final boolean requireClientCert;
  private final DecisionLog decisions;
  private final long maxBodyBytes;
  private final Executor workers;

  /**
   * A body over the limit is still read (and dropped) up to this size before the 413 goes out: a client that is
   * still sending when the server closes gets a TCP reset that can destroy the answer before it reads it. Past
   * this, the 413 goes out at once and the connection is closed.
   */
  static final long DRAIN_LIMIT = 4L << 20;

  TokenReviewHandler(Supplier<TokenAuthenticator> authenticator, Metrics metrics, boolean requireClientCert,
      DecisionLog decisions, long maxBodyBytes, Executor workers) {
    this.authenticator = authenticator;
    this.metrics = metrics;
    this.requireClientCert = requireClientCert;
    this.decisions = decisions;
    this.maxBodyBytes = maxBodyBytes;
    this.workers = workers;
  }

  /** Takes the request; always true (the exchange is completed through {@code callback}). */
  boolean handle(Request request, Response response, Callback callback) {
    long start = System.nanoTime();
    String requestId = requestId(request);
    response.getHeaders().put("X-Request-Id", requestId);
    if (!HttpMethod.POST.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      return refuse(request, response, callback, requestId, 405, "method " + LogText.escape(request.getMethod())
          + " is not allowed; POST a TokenReview");
    }
    if (requireClientCert && !hasClientCert(request)) {
      // TLS let the request in without a certificate so that probes work; /authenticate still needs one.
      return refuse(request, response, callback, requestId, 401, "a client certificate signed by --client-ca-file is required");
    }
    String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (contentType != null && !isJson(contentType)) {
      // kube-apiserver sends application/json (client-go) or nothing; anything else is not a TokenReview.
      return refuse(request, response, callback, requestId, 415, "Content-Type must be application/json");
    }
    if (request.getLength() > DRAIN_LIMIT) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      return refuse(request, response, callback, requestId, 413, tooLarge());
    }
    BodyReader reader = new BodyReader(request, response, callback, requestId, start);
    reader.discarding = request.getLength() > maxBodyBytes;
    reader.read();
    return true;
  }

  /**
   * Collects the body chunk by chunk as Jetty delivers it. A body that arrives in one chunk (the usual case: a
   * TokenReview is a few KB) is parsed straight from Jetty's buffer; a larger or slower one is gathered first.
   */
  private final class BodyReader implements Runnable {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String requestId;
    private final long start;
    private byte[] gathered;
    private long size;
    /** Over the limit: read to the end (or to {@link #DRAIN_LIMIT}) and drop, then answer 413. */
    boolean discarding;

    BodyReader(Request request, Response response, Callback callback, String requestId, long start) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.requestId = requestId;
      this.start = start;
    }

    /** Called again by Jetty (as a demand callback) when more content has arrived. */
    @Override
    public void run() {
      read();
    }

    void read() {
      while (true) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          // The client stalled past the idle timeout, sent a broken body, or went away. A 4xx (which kube-apiserver
          // does not retry), never Jetty's 500 page; the connection is closed after it.
          response.getHeaders().put(HttpHeader.CONNECTION, "close");
          boolean timeout = chunk.getFailure() instanceof java.util.concurrent.TimeoutException;
          refuse(request, response, callback, requestId, timeout ? 408 : 400, timeout
              ? "request body not received within the idle timeout" : "request body could not be read");
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        if (discarding) {
          size += bytes.remaining();
          boolean last = chunk.isLast();
          chunk.release();
          if (last || size > DRAIN_LIMIT) {
            if (!last) {
              response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            refuse(request, response, callback, requestId, 413, tooLarge());
            return;
          }
          continue;
        }
        // The whole body in one chunk (Jetty often sends the end of the content as a second, empty chunk; with a
        // Content-Length it is known to hold everything already): parse it where it lies.
        if (gathered == null && (chunk.isLast() || bytes.remaining() == request.getLength())) {
          try {
            parsed(bytes);
          } finally {
            chunk.release();
          }
          return;
        }
        boolean last = chunk.isLast();
        if (!gather(bytes)) {
          discarding = true;
          size += bytes.remaining();
          gathered = null;
          chunk.release();
          if (last) {
            refuse(request, response, callback, requestId, 413, tooLarge());
            return;
          }
          continue;
        }
        chunk.release();
        if (last) {
          parsed(ByteBuffer.wrap(gathered, 0, (int) size));
          return;
        }
      }
    }

    private boolean gather(ByteBuffer bytes) {
      int n = bytes.remaining();
      if (size + (long) n > maxBodyBytes) {
        return false;
      }
      if (gathered == null) {
        gathered = new byte[Math.max(4096, n)];
      } else if (gathered.length - size < n) {
        gathered = java.util.Arrays.copyOf(gathered, (int) Math.min(maxBodyBytes, Math.max(2L * gathered.length, size + n)));
      }
      bytes.duplicate().get(gathered, (int) size, n);
      size += n;
      return true;
    }

    private void parsed(ByteBuffer body) {
      TokenReviewJson.Request review;
      try {
        review = TokenReviewJson.parse(body);
      } catch (TokenReviewJson.BadRequest e) {
        refuse(request, response, callback, requestId, 400, e.getMessage());
        return;
      }
      // One HTTP/2 connection (kube-apiserver's usual one) multiplexes every review: verified inline, they would all
      // queue on this connection's one thread. So over HTTP/2 only what is cheaper than a hand-off (a cached answer,
      // a token refused on its shape) is answered here; signature checks spread over the pool, where every core works.
      boolean h2 = request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2;
      AuthResult result;
      try {
        result = h2 ? NonBlocking.callCheap(() -> authenticate(review)) : NonBlocking.call(() -> authenticate(review));
      } catch (NonBlocking.WouldBlock e) {
        // This token needs a key refetch or a distributed claim (or, over HTTP/2, a signature check): not here.
        workers.execute(() -> answer(review));
        return;
      }
      respond(review, result);
    }

    private void answer(TokenReviewJson.Request review) {
      respond(review, authenticate(review));
    }

    private void respond(TokenReviewJson.Request review, AuthResult result) {
      write(response, callback, 200, TokenReviewJson.answer(review.apiVersion(), result));
      decisions.decision(requestId, result, (System.nanoTime() - start) / 1_000_000.0);
    }
  }

  private AuthResult authenticate(TokenReviewJson.Request review) {
    try {
      return authenticator.get().authenticate(review.token());
    } catch (NonBlocking.WouldBlock e) {
      throw e;
    } catch (RuntimeException e) {
      // A bug must not become a 5xx (kube-apiserver would retry it five times) nor let anyone in.
      LOG.error("failed unexpectedly: {}", e.toString());
      return new AuthResult.Rejected(Reason.MALFORMED_TOKEN, "oidc: internal error verifying token", null);
    }
  }

  private String tooLarge() {
    return "request body exceeds " + maxBodyBytes + " bytes";
  }

  private boolean refuse(Request request, Response response, Callback callback, String requestId, int status, String message) {
    metrics.recordBadRequest();
    decisions.badRequest(requestId, status, message);
    write(response, callback, status, TokenReviewJson.error(message));
    return true;
  }

  private static void write(Response response, Callback callback, int status, byte[] json) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(json), callback); // last: Jetty sets Content-Length
  }

  /** The caller's X-Request-Id (or Audit-ID) when it is a plain token, else a fresh one; echoed back. */
  private static String requestId(Request request) {
    String v = request.getHeaders().get("X-Request-Id");
    if (v == null || !SAFE_ID.matcher(v).matches()) {
      v = request.getHeaders().get("Audit-ID");
    }
    if (v != null && SAFE_ID.matcher(v).matches()) {
      return v;
    }
    return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  private static boolean isJson(String contentType) {
    if (contentType.regionMatches(true, 0, "application/json", 0, 16)
        && (contentType.length() == 16 || contentType.charAt(16) == ';')) {
      return true; // what client-go sends, without building strings
    }
    int semicolon = contentType.indexOf(';');
    String base = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    return base.equals("application/json") || base.isEmpty() || base.equals("*/*");
  }

  private static boolean hasClientCert(Request request) {
    Object ssl = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
    if (!(ssl instanceof EndPoint.SslSessionData data)) {
      return false;
    }
    X509Certificate[] certs = data.peerCertificates();
    return certs != null && certs.length > 0;
  }
}
