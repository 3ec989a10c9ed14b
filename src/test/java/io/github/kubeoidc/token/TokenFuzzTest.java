package io.github.kubeoidc.token;

import static io.github.kubeoidc.testing.FuzzIssuer.b64;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.kubeoidc.testing.FuzzIssuer;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import io.github.kubeoidc.token.AuthResult.Rejected;
import java.util.Base64;
import java.util.List;

/**
 * Fuzz targets for the token path, {@link IssuerRouter#authenticate}: it never throws, every message stays on
 * one line, and nothing authenticates that the test issuer did not sign ({@link FuzzIssuer#issued}).
 *
 * <p>{@code mvn verify} runs them on their seeds only (Jazzer's regression mode, under
 * {@code src/test/resources/io/github/kubeoidc/token/TokenFuzzTestInputs/}); the README shows how to fuzz.
 */
class TokenFuzzTest {
  static final IssuerRouter ROUTER = FuzzIssuer.router();
  /** Honest tokens to mutate: RS256 (deterministic) and ES256. */
  static final List<String> HONEST = List.of(FuzzIssuer.rs256(), FuzzIssuer.es256());
  static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \n\r\t\"{}[]:,\\é\u2028\u0000";

  /** The oracle and the pinned issuer work: honest tokens authenticate, a forged one does not count as issued. */
  @org.junit.jupiter.api.Test
  void honestTokensOfTheFuzzIssuerAuthenticate() {
    for (String t : HONEST) {
      if (!(ROUTER.authenticate(t) instanceof Authenticated) || !FuzzIssuer.issued(t)) {
        throw new AssertionError("honest token rejected: " + ROUTER.authenticate(t));
      }
    }
    String tampered = HONEST.get(0).replace(b64("\"jane\""), b64("\"root\""));
    if (FuzzIssuer.issued(tampered.substring(0, tampered.length() - 2) + "AA")) {
      throw new AssertionError("the oracle accepts a forged signature");
    }
  }

  /** Any string at all as spec.token. */
  @FuzzTest(maxDuration = "60s")
  void arbitraryToken(byte[] input) {
    check(new String(input, UTF_8));
  }

  /** A real signed token, then one to four mutations chosen by the fuzzer. */
  @FuzzTest(maxDuration = "60s")
  void mutatedRealToken(FuzzedDataProvider data) {
    String token = HONEST.get(data.consumeInt(0, HONEST.size() - 1));
    int mutations = data.consumeInt(1, 4);
    for (int i = 0; i < mutations && data.remainingBytes() > 0; i++) {
      token = mutate(token, data);
    }
    check(token);
  }

  static String mutate(String t, FuzzedDataProvider data) {
    String[] parts = t.split("\\.", -1);
    int at = t.isEmpty() ? 0 : data.consumeInt(0, t.length() - 1);
    switch (data.consumeInt(0, 9)) {
      case 0: // one character replaced
        return t.isEmpty() ? t : t.substring(0, at) + pick(data) + t.substring(at + 1);
      case 1: // characters inserted
        return t.substring(0, at) + data.consumeString(8) + t.substring(at);
      case 2: // a range deleted
        return t.substring(0, at) + t.substring(Math.min(t.length(), at + data.consumeInt(1, 16)));
      case 3: // the header replaced by fuzzed JSON text, payload and signature kept
        return replacePart(parts, 0, b64(data.consumeString(300)));
      case 4: // the payload replaced by fuzzed JSON text, header and signature kept
        return replacePart(parts, 1, b64(data.consumeString(600)));
      case 5: // a bit flipped in the signature bytes
        return parts.length < 3 ? t : replacePart(parts, 2, flipBit(parts[2], data));
      case 6: // a header assembled from hostile pieces
        return replacePart(parts, 0, b64(hostileHeader(data)));
      case 7: // a claim edited inside the real payload, signature kept
        return parts.length < 2 ? t : replacePart(parts, 1, b64(editJson(decode(parts[1]), data)));
      case 8: // parts reordered or repeated
        return parts.length < 3 ? t : parts[data.consumeInt(0, 2)] + "." + parts[data.consumeInt(0, 2)] + "." + parts[data.consumeInt(0, 2)];
      default: // truncated
        return t.substring(0, at);
    }
  }

  static String hostileHeader(FuzzedDataProvider data) {
    String alg = data.pickValue(new String[] {"RS256", "ES256", "PS256", "HS256", "none", "None", "RS256 ", "", "ES512"});
    String kid = data.pickValue(new String[] {"fuzz-rsa", "fuzz-ec", "", "fuzz-rsa\r\n"});
    String extra = data.pickValue(new String[] {"", ",\"crit\":[\"exp\"]", ",\"jku\":\"http://127.0.0.1:1/\"",
        ",\"jwk\":" + FuzzIssuer.RSA.toPublicJWK().toJSONString(), ",\"b64\":false,\"crit\":[\"b64\"]", ",\"alg\":\"HS256\"",
        ",\"x5c\":[\"AAAA\"]", ",\"cty\":\"JWT\"", ",\"zip\":\"DEF\""});
    return "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\"" + extra + data.consumeString(40) + "}";
  }

  static String editJson(String json, FuzzedDataProvider data) {
    String key = data.pickValue(new String[] {"\"iss\"", "\"aud\"", "\"exp\"", "\"username\"", "\"groups\""});
    int at = json.indexOf(key);
    if (at < 0) {
      return json;
    }
    // The value runs from after the colon to the next comma or the closing brace (bounded: the JSON may be cut).
    int valueStart = Math.min(json.length(), at + key.length() + 1);
    int valueEnd = json.indexOf(',', valueStart);
    if (valueEnd < 0) {
      valueEnd = Math.max(valueStart, json.length() - 1);
    }
    return json.substring(0, valueStart) + data.consumeString(40) + json.substring(valueEnd);
  }

  static String flipBit(String part, FuzzedDataProvider data) {
    try {
      byte[] b = Base64.getUrlDecoder().decode(part);
      if (b.length == 0) {
        return part;
      }
      int i = data.consumeInt(0, b.length - 1);
      b[i] ^= (byte) (1 << data.consumeInt(0, 7));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    } catch (IllegalArgumentException e) {
      return part;
    }
  }

  static String decode(String part) {
    try {
      return new String(Base64.getUrlDecoder().decode(part), UTF_8);
    } catch (IllegalArgumentException e) {
      return part;
    }
  }

  static String replacePart(String[] parts, int i, String value) {
    if (i >= parts.length) {
      return String.join(".", parts);
    }
    String[] copy = parts.clone();
    copy[i] = value;
    return String.join(".", copy);
  }

  static char pick(FuzzedDataProvider data) {
    return ALPHABET.charAt(data.consumeInt(0, ALPHABET.length() - 1));
  }

  /** The properties every answer has, whatever the token. */
  static void check(String token) {
    AuthResult r = ROUTER.authenticate(token, (step, passed, detail) -> {
      if (detail == null || detail.indexOf('\n') >= 0 || detail.indexOf('\r') >= 0) {
        throw new AssertionError("step " + step + " detail not on one line: " + detail);
      }
    });
    if (r instanceof Authenticated a) {
      if (!FuzzIssuer.issued(token)) {
        throw new AssertionError("authenticated a token the test issuer did not sign: " + token);
      }
      if (!"jane".equals(a.user().username())) {
        throw new AssertionError("unexpected user " + a.user());
      }
    } else if (r instanceof Rejected rej) {
      if (rej.reason() == null || rej.detail() == null || rej.detail().indexOf('\n') >= 0 || rej.detail().indexOf('\r') >= 0) {
        throw new AssertionError("bad rejection " + rej);
      }
    } else {
      throw new AssertionError("no answer for " + token);
    }
  }
}
