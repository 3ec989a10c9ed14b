package io.github.kubeoidc.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.UserInfo;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The {@code authentication.k8s.io} {@code TokenReview} wire format, v1 and v1beta1 (identical in shape). */
final class TokenReviewJson {
  static final String V1 = "authentication.k8s.io/v1";
  static final String V1BETA1 = "authentication.k8s.io/v1beta1";
  static final String KIND = "TokenReview";

  /** A TokenReview is flat; deeper JSON is an attack, not a request. */
  private static final int MAX_DEPTH = 16;

  static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** What the handler needs from a request. The token is never logged or echoed. */
  record Request(String apiVersion, String token) {
    @Override
    public String toString() {
      return "Request[apiVersion=" + apiVersion + ", token=<omitted>]";
    }
  }

  /** A body that is not a TokenReview: HTTP 400 with this message. */
  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  private TokenReviewJson() {
    throw new AssertionError();
  }

  static Request parse(byte[] body) throws BadRequest {
    if (body.length == 0) {
      throw new BadRequest("request body is empty; expected a TokenReview");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Jackson's own message may quote the input, which may hold a token: only the position goes out.
      throw new BadRequest("request body is not valid JSON"
          + (e.getLocation() == null ? "" : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
    } catch (IOException e) {
      throw new BadRequest("request body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new BadRequest("request body is not a JSON object; expected a TokenReview");
    }
    JsonNode apiVersion = root.get("apiVersion");
    if (apiVersion == null || !apiVersion.isTextual()
        || !(V1.equals(apiVersion.asText()) || V1BETA1.equals(apiVersion.asText()))) {
      throw new BadRequest("apiVersion must be " + V1 + " or " + V1BETA1);
    }
    JsonNode kind = root.get("kind");
    if (kind == null || !KIND.equals(kind.asText()) || !kind.isTextual()) {
      throw new BadRequest("kind must be " + KIND);
    }
    JsonNode spec = root.get("spec");
    if (spec == null || !spec.isObject()) {
      throw new BadRequest("spec must be an object with a token");
    }
    JsonNode token = spec.get("token");
    if (token == null || !token.isTextual()) {
      throw new BadRequest("spec.token must be a string");
    }
    return new Request(apiVersion.asText(), token.asText());
  }

  /**
   * The answer, in the request's apiVersion. {@code status.audiences} stays empty: kube-apiserver then
   * checks its own API audiences, as for its built-in JWT authenticator. A "not mine" rejection carries
   * no {@code status.error}, so kube-apiserver may cache it.
   */
  static byte[] response(String apiVersion, AuthResult result) {
    ObjectNode root = JSON.createObjectNode();
    root.put("apiVersion", apiVersion);
    root.put("kind", KIND);
    ObjectNode status = root.putObject("status");
    if (result instanceof AuthResult.Authenticated a) {
      status.put("authenticated", true);
      status.set("user", user(a.user()));
    } else {
      AuthResult.Rejected r = (AuthResult.Rejected) result;
      status.put("authenticated", false);
      if (!r.reason().notMine()) {
        status.put("error", r.detail());
      }
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write TokenReview", e);
    }
  }

  static byte[] error(String message) {
    ObjectNode root = JSON.createObjectNode();
    root.put("error", message);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode user(UserInfo u) {
    ObjectNode n = JSON.createObjectNode();
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
    return n;
  }
}
