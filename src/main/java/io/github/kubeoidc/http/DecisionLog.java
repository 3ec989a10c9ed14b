package io.github.kubeoidc.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.kubeoidc.token.AuthResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per TokenReview decision: time, request id, result, issuer, username or rejection reason,
 * latency. Never the token. {@code text} goes through the normal logger; {@code json} writes one JSON
 * object per line to stderr (for log pipelines), with every value escaped by the JSON writer.
 */
final class DecisionLog {
  private static final Logger LOG = LoggerFactory.getLogger("tokenreview");
  private static final JsonFactory JSON = new JsonFactory();

  /** {@code --log-format}. */
  enum Format {
    TEXT,
    JSON
  }

  private final Format format;
  private final PrintStream out;

  DecisionLog(Format format, PrintStream out) {
    this.format = format;
    this.out = out;
  }

  void decision(String requestId, AuthResult result, double ms) {
    if (format == Format.TEXT) {
      if (!LOG.isInfoEnabled()) {
        return;
      }
      if (result instanceof AuthResult.Authenticated a) {
        LOG.info("authenticated request_id={} issuer={} user={} groups={} ms={}", requestId, a.issuer(),
            LogText.quote(a.user().username()), a.user().groups().size(), String.format("%.2f", ms));
      } else {
        AuthResult.Rejected r = (AuthResult.Rejected) result;
        LOG.info("rejected request_id={} reason={} issuer={} error={} ms={}", requestId, r.reason(),
            r.issuer() == null ? "none" : r.issuer(), LogText.quote(r.detail()), String.format("%.2f", ms));
      }
      return;
    }
    json(g -> {
      g.writeStringField("request_id", requestId);
      if (result instanceof AuthResult.Authenticated a) {
        g.writeStringField("result", "authenticated");
        g.writeStringField("issuer", a.issuer());
        g.writeStringField("user", a.user().username());
        g.writeNumberField("groups", a.user().groups().size());
      } else {
        AuthResult.Rejected r = (AuthResult.Rejected) result;
        g.writeStringField("result", r.reason().notMine() ? "not_mine" : "rejected");
        g.writeStringField("reason", r.reason().name());
        g.writeStringField("issuer", r.issuer() == null ? "none" : r.issuer());
        g.writeStringField("error", r.detail());
      }
      g.writeNumberField("latency_ms", Math.round(ms * 100) / 100.0);
    });
  }

  void badRequest(String requestId, int status, String message) {
    if (format == Format.TEXT) {
      LOG.info("bad request request_id={} status={} error={}", requestId, status, LogText.quote(message));
      return;
    }
    json(g -> {
      g.writeStringField("request_id", requestId);
      g.writeStringField("result", "bad_request");
      g.writeNumberField("status", status);
      g.writeStringField("error", message);
    });
  }

  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private void json(Fields fields) {
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("time", Instant.now().toString());
      g.writeStringField("level", "INFO");
      g.writeStringField("msg", "tokenreview");
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      return; // a StringWriter does not fail
    }
    out.println(w); // println on a PrintStream is synchronized: lines never interleave
  }
}
