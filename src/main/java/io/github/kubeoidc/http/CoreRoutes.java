package io.github.kubeoidc.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The endpoints on the hot path, served on Jetty's core API in front of Javalin: {@code /authenticate} (every
 * kubectl call costs one) and the liveness probes (constant answers). Everything else ({@code /readyz},
 * {@code /metrics}, unknown paths) goes on to Javalin's routes.
 *
 * <p>Why not a Javalin route: on a core shared with the load, the servlet layer and the hand-off of every request
 * from Jetty's I/O thread to a worker cost about as much as verifying an RS256 signature (README, Performance).
 * This handler is {@link InvocationType#NON_BLOCKING}, so Jetty calls it on the I/O thread that read the request,
 * with no hand-off; in exchange nothing on that thread may block. The probes and {@code /authenticate} keep that
 * promise ({@link TokenReviewHandler}); Javalin's servlet does not (it reads and writes with blocking streams),
 * so every request for Javalin moves to the worker pool.
 */
final class CoreRoutes extends Handler.Wrapper {
  private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

  private final TokenReviewHandler reviews;
  private final Executor workers;

  CoreRoutes(TokenReviewHandler reviews, Executor workers) {
    this.reviews = reviews;
    this.workers = workers;
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    switch (path) {
      case "/authenticate" -> {
        return reviews.handle(request, response, callback);
      }
      case "/healthz", "/livez" -> {
        // Any method: the kubelet GETs; the load benchmark POSTs TokenReview bodies here for its no-op floor (the
        // same bytes in as /authenticate, nothing done with them). The body is not read; Jetty discards it.
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.write(true, ByteBuffer.wrap(OK), callback);
        return true;
      }
      default -> { }
    }
    workers.execute(() -> {
      try {
        if (!super.handle(request, response, callback)) {
          Response.writeError(request, response, callback, 404);
        }
      } catch (Throwable t) {
        callback.failed(t);
      }
    });
    return true;
  }
}
