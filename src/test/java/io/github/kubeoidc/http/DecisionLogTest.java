package io.github.kubeoidc.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.Reason;
import io.github.kubeoidc.token.UserInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --log-format=json: one parseable JSON object per TokenReview, every value escaped, one line each. */
class DecisionLogTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonDecisionsAreOneObjectPerLineWithTheFieldsOperatorsQuery() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    DecisionLog log = new DecisionLog(DecisionLog.Format.JSON, new PrintStream(buf, true, StandardCharsets.UTF_8));
    log.decision("r1", new AuthResult.Authenticated(new UserInfo("jane\n{\"forged\":true}", "", List.of("a", "b"), Map.of()),
        "https://dex", Instant.now()), 1.234);
    log.decision("r2", new AuthResult.Rejected(Reason.EXPIRED, "oidc: token is expired", "https://dex"), 0.5);
    log.decision("r3", new AuthResult.Rejected(Reason.UNKNOWN_ISSUER, "", null), 0.1);
    log.badRequest("r4", 400, "kind must be TokenReview");

    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(4, lines.size(), "a newline in a value must not split the line: " + lines);
    JsonNode ok = JSON.readTree(lines.get(0));
    assertEquals("tokenreview", ok.get("msg").asText());
    assertEquals("r1", ok.get("request_id").asText());
    assertEquals("authenticated", ok.get("result").asText());
    assertEquals("jane\n{\"forged\":true}", ok.get("user").asText());
    assertEquals(2, ok.get("groups").asInt());
    assertEquals(1.23, ok.get("latency_ms").asDouble());
    assertFalse(ok.has("forged"));

    JsonNode rejected = JSON.readTree(lines.get(1));
    assertEquals("rejected", rejected.get("result").asText());
    assertEquals("EXPIRED", rejected.get("reason").asText());
    assertEquals("https://dex", rejected.get("issuer").asText());
    assertEquals("not_mine", JSON.readTree(lines.get(2)).get("result").asText());
    assertEquals("bad_request", JSON.readTree(lines.get(3)).get("result").asText());
    assertEquals(400, JSON.readTree(lines.get(3)).get("status").asInt());
  }
}
