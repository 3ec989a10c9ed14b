package io.github.kubeoidc.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.kubeoidc.keys.KeyStatus;
import io.javalin.http.Context;
import java.util.List;
import java.util.function.Supplier;

/** {@code /readyz}: every issuer has keys ({@code /healthz} and {@code /livez} are constant, in {@link CoreRoutes}). */
final class HealthHandlers {
  private final Supplier<List<KeyStatus>> issuers;

  HealthHandlers(Supplier<List<KeyStatus>> issuers) {
    this.issuers = issuers;
  }

  void ready(Context ctx) throws Exception {
    List<KeyStatus> all = issuers.get();
    List<KeyStatus> notReady = all.stream().filter(s -> !s.ready()).toList();
    ObjectNode body = TokenReviewJson.JSON.createObjectNode();
    body.put("status", notReady.isEmpty() ? "ready" : "not ready");
    ArrayNode list = body.putArray("issuers");
    for (KeyStatus s : all) {
      ObjectNode n = list.addObject();
      n.put("issuer", s.issuer());
      n.put("ready", s.ready());
      n.put("keys", s.keyCount());
      if (s.lastSuccess() != null) {
        n.put("lastSuccess", s.lastSuccess().toString());
      }
      if (s.lastError() != null) {
        n.put("lastError", s.lastError());
      }
    }
    if (!notReady.isEmpty()) {
      ArrayNode names = body.putArray("issuersWithoutKeys");
      notReady.forEach(s -> names.add(s.issuer()));
    }
    ctx.status(notReady.isEmpty() ? 200 : 503).contentType("application/json")
        .result(TokenReviewJson.JSON.writeValueAsBytes(body));
  }
}
