package io.github.kubeoidc.http;

import io.github.kubeoidc.metrics.Metrics;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.TokenAuthenticator;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /authenticate}: decode the TokenReview, authenticate its token, answer in the same
 * apiVersion. A token is always answered with HTTP 200 (a non-200 is a transport error to kube-apiserver,
 * which retries); only a body that is not a TokenReview gets 400.
 */
final class TokenReviewHandler implements Handler {
  private static final Logger LOG = LoggerFactory.getLogger("tokenreview");

  private static final java.util.regex.Pattern SAFE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Supplier<TokenAuthenticator> authenticator;
  private final Metrics metrics;
  private final boolean requireClientCert;
  private final DecisionLog decisions;

  TokenReviewHandler(Supplier<TokenAuthenticator> authenticator, Metrics metrics, boolean requireClientCert,
      DecisionLog decisions) {
    this.authenticator = authenticator;
    this.metrics = metrics;
    this.requireClientCert = requireClientCert;
    this.decisions = decisions;
  }

  /** The caller's X-Request-Id (or Audit-ID) when it is a plain token, else a fresh one; echoed back. */
  private static String requestId(Context ctx) {
    for (String h : new String[] {"X-Request-Id", "Audit-ID"}) {
      String v = ctx.header(h);
      if (v != null && SAFE_ID.matcher(v).matches()) {
        return v;
      }
    }
    return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  @Override
  public void handle(Context ctx) {
    long start = System.nanoTime();
    String requestId = requestId(ctx);
    ctx.header("X-Request-Id", requestId);
    if (requireClientCert && !hasClientCert(ctx)) {
      // TLS let the request in without a certificate so that probes work; /authenticate still needs one.
      metrics.recordBadRequest();
      String msg = "a client certificate signed by --client-ca-file is required";
      decisions.badRequest(requestId, 401, msg);
      ctx.status(401).contentType("application/json").result(TokenReviewJson.error(msg));
      return;
    }
    String contentType = ctx.contentType();
    if (contentType != null && !isJson(contentType)) {
      // kube-apiserver sends application/json (client-go) or nothing; anything else is not a TokenReview.
      metrics.recordBadRequest();
      String msg = "Content-Type must be application/json";
      decisions.badRequest(requestId, 415, msg);
      ctx.status(415).contentType("application/json").result(TokenReviewJson.error(msg));
      return;
    }
    TokenReviewJson.Request req;
    try {
      req = TokenReviewJson.parse(ctx.bodyAsBytes());
    } catch (TokenReviewJson.BadRequest e) {
      metrics.recordBadRequest();
      decisions.badRequest(requestId, 400, e.getMessage());
      ctx.status(400).contentType("application/json").result(TokenReviewJson.error(e.getMessage()));
      return;
    }
    AuthResult result;
    try {
      result = authenticator.get().authenticate(req.token());
    } catch (RuntimeException e) {
      // A bug must not become a 5xx (kube-apiserver would retry it five times) nor let anyone in.
      LOG.error("failed unexpectedly: {}", e.toString());
      result = new AuthResult.Rejected(io.github.kubeoidc.token.Reason.MALFORMED_TOKEN, "oidc: internal error verifying token", null);
    }
    ctx.status(200).contentType("application/json").result(TokenReviewJson.response(req.apiVersion(), result));
    decisions.decision(requestId, result, (System.nanoTime() - start) / 1_000_000.0);
  }

  private static boolean isJson(String contentType) {
    String base = contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
    return base.equals("application/json") || base.isEmpty() || base.equals("*/*");
  }

  private static boolean hasClientCert(Context ctx) {
    Object certs = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
    return certs instanceof X509Certificate[] a && a.length > 0;
  }


}
