package io.github.kubeoidc.token;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * A bearer token split into its compact JWS parts, with its payload decoded but NOT VERIFIED.
 *
 * <p>WARNING: nothing here is trusted. {@link #issuer()} only routes the token to the authenticator
 * that will verify it; {@link #unverifiedClaims()} become claims only after that authenticator has
 * checked the signature over these exact bytes.
 */
public record UnverifiedToken(String raw, String issuer, Map<String, Object> unverifiedClaims) {

  /** JSON nesting allowed in a payload; real ID tokens nest two or three levels. */
  static final int MAX_JSON_DEPTH = 32;

  private static final ObjectMapper JSON = JsonMapper.builder(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
              .build())
      // RFC 7519 §4: duplicate claim names MUST be rejected (or the last taken); we reject.
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /**
   * Splits and decodes a compact JWS strictly (three base64url parts without padding or whitespace; a
   * JWE has five and is never accepted). Empty when the token is not such a JWT or its payload is not
   * a JSON object with a string {@code iss}: then it is not ours.
   */
  public static Optional<UnverifiedToken> parse(String raw) {
    int first = raw.indexOf('.');
    int second = first < 0 ? -1 : raw.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || raw.indexOf('.', second + 1) >= 0 || second == first + 1) {
      return Optional.empty();
    }
    if (!isBase64Url(raw, 0, raw.length())) {
      return Optional.empty();
    }
    Map<String, Object> claims;
    try {
      byte[] payload = Base64.getUrlDecoder().decode(raw.substring(first + 1, second));
      claims = JSON.readValue(payload, MAP);
    } catch (IllegalArgumentException | IOException e) {
      return Optional.empty();
    }
    if (claims == null || !(claims.get("iss") instanceof String iss)) {
      return Optional.empty();
    }
    return Optional.of(new UnverifiedToken(raw, iss, claims));
  }

  /** Only {@code A-Z a-z 0-9 - _} and the two dots: no padding, whitespace, "Bearer " or other bytes. */
  private static boolean isBase64Url(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "UnverifiedToken[issuer=" + issuer + ", <token omitted>]";
  }
}
