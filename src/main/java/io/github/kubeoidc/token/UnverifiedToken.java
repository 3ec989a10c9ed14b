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
   * Splits and decodes a compact JWS strictly (see {@link #isCompactJws(String)}; a JWE has five parts and is
   * never accepted). Empty when the token is not such a JWT or its payload is not a JSON object with a string
   * {@code iss}: then it is not ours.
   */
  public static Optional<UnverifiedToken> parse(String raw) {
    if (!isCompactJws(raw)) {
      return Optional.empty();
    }
    int first = raw.indexOf('.');
    int second = raw.indexOf('.', first + 1);
    if (second == first + 1) {
      return Optional.empty(); // no payload: nothing to route by
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

  /**
   * Exactly three parts, a non-empty header, each part canonical unpadded base64url (RFC 7515 §2, §7.1): only
   * {@code A-Z a-z 0-9 - _}, no padding, whitespace, "Bearer " or other bytes, no length that leaves a
   * dangling character, and zero unused bits in the last character. nimbus and the JDK decode leniently
   * (they drop a dangling character and ignore unused bits), so without this check many strings would verify
   * as the same token.
   */
  static boolean isCompactJws(String raw) {
    int first = raw.indexOf('.');
    int second = first < 0 ? -1 : raw.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || raw.indexOf('.', second + 1) >= 0) {
      return false;
    }
    return isCanonicalBase64Url(raw, 0, first) && isCanonicalBase64Url(raw, first + 1, second)
        && isCanonicalBase64Url(raw, second + 1, raw.length());
  }

  private static boolean isCanonicalBase64Url(String s, int from, int to) {
    if (from == to) {
      return true;
    }
    // Branch-free over the characters (a token's are random, so per-character branches mispredict): a character
    // past 0x7F makes (0x7F - c) negative, one outside the alphabet maps to -1; either leaves acc negative.
    int acc = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      acc |= SEXTETS[c & 0x7F] | (0x7F - c);
    }
    if (acc < 0) {
      return false;
    }
    int last = SEXTETS[s.charAt(to - 1)];
    return switch ((to - from) % 4) {
      case 0 -> true;
      case 1 -> false; // 6 bits cannot end a byte
      case 2 -> (last & 0x0f) == 0; // one byte: 8 of the 12 bits used
      default -> (last & 0x03) == 0; // two bytes: 16 of the 18 bits used
    };
  }

  /** The value of each base64url character (indexed by its code, below 0x80), -1 for the rest of ASCII. */
  private static final byte[] SEXTETS = new byte[128];

  static {
    java.util.Arrays.fill(SEXTETS, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      SEXTETS[alphabet.charAt(i)] = (byte) i;
    }
  }

  @Override
  public String toString() {
    return "UnverifiedToken[issuer=" + issuer + ", <token omitted>]";
  }
}
