package io.github.kubeoidc.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.Reason;
import io.github.kubeoidc.token.UserInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming TokenReview reader and writer against a reference built on Jackson's tree model (the way the
 * format was first read here): every body gets the same request or the same 400 message, every answer the same
 * bytes.
 */
class TokenReviewJsonTest {
  static final String V1 = TokenReviewJson.V1;

  /** The tree-model reading: what the streaming parser must agree with. */
  static String reference(byte[] body) {
    ObjectMapper json = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build()).build())
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    if (body.length == 0) {
      return "400 request body is empty; expected a TokenReview";
    }
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return "400 request body is not valid JSON"
          + (e.getLocation() == null ? "" : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    } catch (IOException e) {
      return "400 request body is not valid JSON";
    }
    if (root == null || !root.isObject()) {
      return "400 request body is not a JSON object; expected a TokenReview";
    }
    JsonNode apiVersion = root.get("apiVersion");
    if (apiVersion == null || !apiVersion.isTextual()
        || !(V1.equals(apiVersion.asText()) || TokenReviewJson.V1BETA1.equals(apiVersion.asText()))) {
      return "400 apiVersion must be " + V1 + " or " + TokenReviewJson.V1BETA1;
    }
    JsonNode kind = root.get("kind");
    if (kind == null || !"TokenReview".equals(kind.asText()) || !kind.isTextual()) {
      return "400 kind must be TokenReview";
    }
    JsonNode spec = root.get("spec");
    if (spec == null || !spec.isObject()) {
      return "400 spec must be an object with a token";
    }
    JsonNode token = spec.get("token");
    if (token == null || !token.isTextual()) {
      return "400 spec.token must be a string";
    }
    return "ok " + apiVersion.asText() + " " + token.asText();
  }

  static String streaming(byte[] body) {
    try {
      TokenReviewJson.Request r = TokenReviewJson.parse(body);
      return "ok " + r.apiVersion() + " " + r.token();
    } catch (TokenReviewJson.BadRequest e) {
      return "400 " + e.getMessage();
    }
  }

  static Stream<String> bodies() throws IOException {
    List<String> b = new ArrayList<>(List.of(
        "", " ", "\n\t ", "null", "true", "1", "\"x\"", "[]", "[1,2", "{}", "{", "}", "{\"a\":}", "not json",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"a.b.c\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"a.b.c\"}} trailing",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"a.b.c\"}}{}",
        "{\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\"},\"apiVersion\":\"authentication.k8s.io/v1beta1\"}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"metadata\":{\"creationTimestamp\":null},"
            + "\"spec\":{\"token\":\"t\",\"audiences\":[\"https://kubernetes.default.svc\"]},\"status\":{\"user\":{}}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"\\u0041\\n\\\"\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":null}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":1}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":[\"t\"]}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":{\"t\":1}}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":[]}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":\"token\"}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\"}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"tokenreview\",\"spec\":{\"token\":\"t\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":[\"TokenReview\"],\"spec\":{\"token\":\"t\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"spec\":{\"token\":\"t\"}}",
        "{\"apiVersion\":\"authentication.k8s.io/v2\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\"}}",
        "{\"apiVersion\":1,\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"a\",\"token\":\"b\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\",\"x\":{\"y\":1,\"y\":2}}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\"},\"x\":" + "[".repeat(15) + "]".repeat(15) + "}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\"},\"x\":" + "[".repeat(16) + "]".repeat(16) + "}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\",\"x\":" + "[".repeat(40) + "}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\"},\"n\":1e999999}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"t\"},\"n\":NaN}",
        "{'apiVersion':'" + V1 + "'}",
        "\uFEFF{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"bom\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"caf\u00e9 \u2028\"}}",
        "{\"apiVersion\":\"" + V1 + "\" \"kind\":\"TokenReview\"}"));
    Path seeds = Path.of("src/test/resources/io/github/kubeoidc/http/TokenReviewJsonFuzzTestInputs/parseAndAnswer");
    if (Files.isDirectory(seeds)) {
      try (Stream<Path> files = Files.list(seeds)) {
        files.sorted().forEach(f -> {
          try {
            b.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)); // bytes as they are
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
      }
    }
    return b.stream();
  }

  static byte[] bytes(String body) {
    // bodies built above are text; seeds were read as ISO-8859-1, one char per byte
    return body.chars().allMatch(c -> c < 0x100) ? body.getBytes(StandardCharsets.ISO_8859_1) : body.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @MethodSource("bodies")
  void streamingReaderAgreesWithTheTreeReading(String body) {
    byte[] b = bytes(body);
    assertEquals(reference(b), streaming(b));
  }

  @Test
  void bodyIsReadInPlaceFromASliceOfALargerBuffer() throws Exception {
    byte[] body = ("{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"slice\"}}")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] framed = new byte[body.length + 20];
    java.util.Arrays.fill(framed, (byte) '#');
    System.arraycopy(body, 0, framed, 10, body.length);
    ByteBuffer slice = ByteBuffer.wrap(framed, 10, body.length).slice();
    assertEquals("slice", TokenReviewJson.parse(slice).token());
    assertEquals(0, slice.position(), "the buffer is left as it was");
    ByteBuffer direct = ByteBuffer.allocateDirect(body.length).put(body).flip();
    assertEquals("slice", TokenReviewJson.parse(direct).token());
  }

  /** Direct buffers go through a per-thread array: a longer body, then a shorter one, then one past its size. */
  @Test
  void directBuffersOfAnySizeReadTheirOwnBytes() throws Exception {
    for (String token : List.of("a".repeat(5000), "short", "b".repeat(40_000), "c")) {
      byte[] body = ("{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}")
          .getBytes(StandardCharsets.US_ASCII);
      ByteBuffer direct = ByteBuffer.allocateDirect(body.length).put(body).flip();
      assertEquals(token, TokenReviewJson.parse(direct).token());
    }
  }

  /** The tree-model writing of an answer. */
  static byte[] referenceResponse(String apiVersion, AuthResult result) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("apiVersion", apiVersion);
    root.put("kind", "TokenReview");
    ObjectNode status = root.putObject("status");
    if (result instanceof AuthResult.Authenticated a) {
      status.put("authenticated", true);
      ObjectNode n = status.putObject("user");
      UserInfo u = a.user();
      n.put("username", u.username());
      if (!u.uid().isEmpty()) {
        n.put("uid", u.uid());
      }
      if (!u.groups().isEmpty()) {
        ArrayNode g = n.putArray("groups");
        u.groups().forEach(g::add);
      }
      if (!u.extra().isEmpty()) {
        ObjectNode extra = n.putObject("extra");
        for (Map.Entry<String, List<String>> e : u.extra().entrySet()) {
          ArrayNode values = extra.putArray(e.getKey());
          e.getValue().forEach(values::add);
        }
      }
    } else {
      AuthResult.Rejected r = (AuthResult.Rejected) result;
      status.put("authenticated", false);
      if (!r.reason().notMine()) {
        status.put("error", r.detail());
      }
    }
    return json.writeValueAsBytes(root);
  }

  static Stream<AuthResult> results() {
    Instant exp = Instant.parse("2030-01-01T00:00:00Z");
    Map<String, List<String>> extra = new LinkedHashMap<>();
    extra.put("authentication.kubernetes.io/credential-id", List.of("JTI=abc"));
    return Stream.of(
        new AuthResult.Authenticated(new UserInfo("jane", "", List.of(), Map.of()), "https://i", exp),
        new AuthResult.Authenticated(new UserInfo("https://i#1234", "u-1", List.of("oidc:dev", "oidc:ops"), extra), "https://i", exp),
        new AuthResult.Authenticated(new UserInfo("caf\u00e9 \"quoted\" \\ \n \u2028 \uD83D\uDE00", "", List.of("\u0000"),
            Map.of("example.org/k", List.of("v1", "v2"))), "https://i", exp),
        new AuthResult.Rejected(Reason.EXPIRED, "oidc: token is expired (Token Expiry: 2009-11-10T22:00:00Z)", "https://i"),
        new AuthResult.Rejected(Reason.AUDIENCE_MISMATCH, "oidc: expected audience in [\"a\"] got [\"b\"]", "https://i"),
        new AuthResult.Rejected(Reason.NOT_A_JWT, "", null),
        new AuthResult.Rejected(Reason.UNKNOWN_ISSUER, "", null));
  }

  @ParameterizedTest
  @MethodSource("results")
  void answersAreTheBytesOfTheTreeWriting(AuthResult result) throws IOException {
    for (String v : List.of(V1, TokenReviewJson.V1BETA1)) {
      assertArrayEquals(referenceResponse(v, result), TokenReviewJson.response(v, result),
          () -> new String(TokenReviewJson.response(v, result), StandardCharsets.UTF_8));
    }
  }

  /** The per-thread reuse of the last answer gives what a fresh writing gives, through repeats and switches. */
  @Test
  void reusedAnswersAreTheFreshOnes() throws IOException {
    List<AuthResult> all = results().toList();
    List<AuthResult> sequence = new java.util.ArrayList<>();
    for (AuthResult r : all) {
      sequence.add(r);
      sequence.add(r); // a repeat: reused
    }
    sequence.addAll(all);
    sequence.add(all.get(0));
    // the same result in the other apiVersion is a different answer
    assertArrayEquals(referenceResponse(V1, all.get(0)), TokenReviewJson.answer(V1, all.get(0)));
    assertArrayEquals(referenceResponse(TokenReviewJson.V1BETA1, all.get(0)), TokenReviewJson.answer(TokenReviewJson.V1BETA1, all.get(0)));
    for (String v : List.of(V1, TokenReviewJson.V1BETA1, V1)) {
      for (AuthResult r : sequence) {
        assertArrayEquals(referenceResponse(v, r), TokenReviewJson.answer(v, r), () -> v + " " + r);
      }
    }
  }
}
