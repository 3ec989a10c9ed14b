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

  private final Supplier<TokenAuthenticator> authenticator;
  private final Metrics metrics;
  private final boolean requireClientCert;

  TokenReviewHandler(Supplier<TokenAuthenticator> authenticator, Metrics metrics, boolean requireClientCert) {
    this.authenticator = authenticator;
    this.metrics = metrics;
    this.requireClientCert = requireClientCert;
  }

  @Override
  public void handle(Context ctx) {
    long start = System.nanoTime();
    if (requireClientCert && !hasClientCert(ctx)) {
      // TLS let the request in without a certificate so that probes work; /authenticate still needs one.
      metrics.recordBadRequest();
      ctx.status(401).contentType("application/json")
          .result(TokenReviewJson.error("a client certificate signed by --client-ca-file is required"));
      return;
    }
    TokenReviewJson.Request req;
    try {
      req = TokenReviewJson.parse(ctx.bodyAsBytes());
    } catch (TokenReviewJson.BadRequest e) {
      metrics.recordBadRequest();
      LOG.info("bad request: {}", e.getMessage());
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
    log(result, (System.nanoTime() - start) / 1_000_000.0);
  }

  private static boolean hasClientCert(Context ctx) {
    Object certs = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
    return certs instanceof X509Certificate[] a && a.length > 0;
  }

  private static void log(AuthResult result, double ms) {
    if (result instanceof AuthResult.Authenticated a) {
      LOG.info("authenticated issuer={} user={} groups={} ms={}", a.issuer(),
          LogText.escape(a.user().username()), a.user().groups().size(), String.format("%.2f", ms));
    } else {
      AuthResult.Rejected r = (AuthResult.Rejected) result;
      LOG.info("rejected reason={} issuer={} error={} ms={}", r.reason(),
          r.issuer() == null ? "none" : r.issuer(), LogText.quote(r.detail()), String.format("%.2f", ms));
    }
  }
}
