package io.github.kubeoidc.token;

import static io.github.kubeoidc.token.IssuerAuthenticatorTest.ALL_ALGS;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.CLOCK;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.ISSUER;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.github.kubeoidc.keys.JwksParser;
import io.github.kubeoidc.keys.Signatures;
import io.github.kubeoidc.keys.StaticKeySource;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Project Wycheproof's JWS, JWK and signature vectors against our verifier. They live in the shared test data
 * beside the repository ({@code ../shared/testdata/wycheproof}, as CI lays it out); without them this test
 * fails rather than skips, because a silent skip would look like a pass.
 *
 * <p>JWS payloads here are not ID tokens, so the JWS and JWK vectors run through
 * {@link IssuerAuthenticator#verifySignatureOnly}, the signature layer of the production pipeline, with the
 * group's key published and every asymmetric algorithm allowed; each vector also goes through the whole
 * {@link IssuerRouter}, which must never authenticate it. The primitive vectors (ECDSA in P1363 form, RSASSA
 * PKCS#1 v1.5 and PSS) run through {@link Signatures#verifierFor}, the verifiers the pipeline builds, once per
 * {@link Signatures.Engine}.
 *
 * <p>Expectations: a {@code valid} vector with an RSA or EC key verifies unless listed in {@link #STRICTER}
 * with the reason we refuse it; everything else (invalid vectors, HMAC keys, JWE) is rejected.
 */
class WycheproofTest {
  static final Path DIR = Path.of("..", "shared", "testdata", "wycheproof");
  static final ObjectMapper JSON = new ObjectMapper();

  /** {@code valid} vectors that our pipeline rejects on purpose, by tcId, per file, with the reason. */
  static final Map<String, Map<Integer, String>> STRICTER = Map.of(
      "json_web_signature_test.json", Map.of(
          346, "the JWK declares alg PS256, the token PS384 (RFC 7517 §4.4: the key is for PS256 only)",
          350, "the JWK declares alg PS256, the token PS384",
          347, "the JWK declares alg \"ES521\", which is no algorithm; the token is ES512",
          351, "the JWK declares alg \"ES521\", the token ES512"),
      "json_web_key_test.json", Map.of(),
      "json_web_crypto_test.json", Map.of());

  /**
   * {@code valid} primitive vectors that the JDK's own ECDSA (SunEC, which nimbus calls) rejects: the nonce
   * point's x-coordinate is at least n, so r = x - n is small. Real signatures hit this with probability
   * about 2^-128 and the failure is closed (a rejection), so they are tolerated either way and counted apart.
   */
  static final Map<String, Map<Integer, String>> JDK_REJECTS = Map.of(
      "ecdsa_secp256r1_sha256_p1363_test.json", Map.of(115, "k*G has a large x-coordinate", 257, "r = 3, x = n + 3"),
      "ecdsa_secp384r1_sha384_p1363_test.json", Map.of(147, "k*G has a large x-coordinate", 275, "r = 2, x = n + 2"),
      "ecdsa_secp521r1_sha512_p1363_test.json", Map.of(184, "k*G has a large x-coordinate", 313, "r = 1, x = n + 1"));

  /** A key published beside each group's keys, so that "no keys loaded" never hides the real reason. */
  static final JWK FILLER = IssuerAuthenticatorTest.RSA_1.toPublicJWK();

  static JsonNode load(String file) {
    Path p = DIR.resolve(file);
    if (!Files.isDirectory(DIR)) {
      fail("Wycheproof vectors not found: " + DIR.toAbsolutePath().normalize() + " does not exist. Tests run from the "
          + "project root and expect the shared test data beside the repository (../shared/testdata/wycheproof), "
          + "as CI lays it out.");
    }
    try {
      return JSON.readTree(Files.readString(p, UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot read Wycheproof file " + p.toAbsolutePath().normalize() + ": " + e, e);
    }
  }

  /** What happened to the vectors of one file; printed, and checked against the file's own count. */
  static final class Tally {
    final String file;
    final Map<String, Integer> counts = new TreeMap<>();
    final List<String> failures = new ArrayList<>();
    int total;

    Tally(String file) {
      this.file = file;
    }

    void count(String what) {
      counts.merge(what, 1, Integer::sum);
    }

    void finish(JsonNode doc) {
      System.out.println("wycheproof " + file + ": " + total + " vectors " + counts);
      assertEquals(doc.get("numberOfTests").asInt(), total, file + ": every vector must run");
      assertTrue(failures.isEmpty(), () -> file + ": " + failures.size() + " vector(s) not handled as expected:\n  "
          + String.join("\n  ", failures));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"json_web_signature_test.json", "json_web_crypto_test.json"})
  void jwsAndJweVectors(String file) {
    JsonNode doc = load(file);
    Tally t = new Tally(file);
    for (JsonNode g : doc.get("testGroups")) {
      List<JWK> keys = groupKeys(g, t);
      boolean asymmetric = keys.stream().anyMatch(k -> k != FILLER);
      IssuerAuthenticator a = authenticator(keys);
      IssuerRouter router = new IssuerRouter(List.of(a), IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
      for (JsonNode v : g.get("tests")) {
        t.total++;
        int id = v.get("tcId").asInt();
        boolean jwe = v.has("jwe");
        JsonNode token = jwe ? v.get("jwe") : v.get("jws");
        String compact = token.isTextual() ? token.asText() : token.toString(); // JSON serialisation, as sent
        boolean valid = "valid".equals(v.get("result").asText());
        String kind = jwe ? "jwe" : asymmetric ? "asymmetric" : "hmac";
        boolean verified = verifies(a, compact);
        String stricter = STRICTER.get(file).get(id);
        boolean mustVerify = valid && !jwe && asymmetric && stricter == null;
        if (verified != mustVerify) {
          t.failures.add("tcId " + id + " (" + g.get("comment").asText() + ", " + v.get("comment").asText() + ", " + v.get("result").asText()
              + "): " + (verified ? "verified" : "rejected"));
        }
        if (router.authenticate(compact) instanceof Authenticated) {
          t.failures.add("tcId " + id + ": the whole pipeline authenticated a vector that is not an ID token");
        }
        t.count(kind + "-" + v.get("result").asText() + (verified ? "-verified" : "-rejected") + (stricter != null ? "-stricter" : ""));
      }
    }
    t.finish(doc);
  }

  @Test
  void jwkVectors() throws Exception {
    String file = "json_web_key_test.json";
    JsonNode doc = load(file);
    Tally t = new Tally(file);
    for (JsonNode g : doc.get("testGroups")) {
      List<String> warnings = new ArrayList<>();
      JsonNode set = g.has("public") ? g.get("public") : g.get("private");
      List<JWK> keys = new ArrayList<>(JwksParser.parse(set.has("keys") ? set.toString() : "{\"keys\":[" + set + "]}", warnings::add));
      t.counts.merge("keys-skipped", warnings.size(), Integer::sum);
      boolean asymmetric = !keys.isEmpty();
      keys.add(FILLER);
      IssuerAuthenticator a = authenticator(keys);
      for (JsonNode v : g.get("tests")) {
        t.total++;
        boolean valid = "valid".equals(v.get("result").asText());
        boolean verified = verifies(a, v.get("jws").asText());
        if (verified != (valid && asymmetric)) {
          t.failures.add("tcId " + v.get("tcId").asInt() + " (" + g.get("comment").asText() + ", " + v.get("result").asText() + "): "
              + (verified ? "verified" : "rejected") + "; key warnings " + warnings);
        }
        t.count((asymmetric ? "asymmetric-" : "hmac-or-no-usable-key-") + v.get("result").asText() + (verified ? "-verified" : "-rejected"));
      }
    }
    t.finish(doc);
  }

  static Stream<Arguments> primitiveCases() {
    return Stream.of(Signatures.Engine.values()).flatMap(e -> Stream.of(
        Arguments.of("ecdsa_secp256r1_sha256_p1363_test.json", "ES256", e),
        Arguments.of("ecdsa_secp384r1_sha384_p1363_test.json", "ES384", e),
        Arguments.of("ecdsa_secp521r1_sha512_p1363_test.json", "ES512", e),
        Arguments.of("rsa_signature_2048_sha256_test.json", "RS256", e),
        Arguments.of("rsa_pss_2048_sha256_mgf1_32_test.json", "PS256", e)));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("primitiveCases")
  void signaturePrimitiveVectors(String file, String alg, Signatures.Engine engine) throws Exception {
    JsonNode doc = load(file);
    Tally t = new Tally(file);
    JWSHeader header = new JWSHeader(JWSAlgorithm.parse(alg));
    for (JsonNode g : doc.get("testGroups")) {
      JWK key = primitiveKey(g);
      List<JWK> usable = JwksParser.usable(List.of(key), w -> {});
      assertEquals(1, usable.size(), () -> file + ": the group key must be usable: " + key.toJSONString());
      for (JsonNode v : g.get("tests")) {
        t.total++;
        String result = v.get("result").asText();
        boolean verified;
        try {
          verified = Signatures.verifierFor(usable.get(0), engine).verify(header, hex(v.get("msg").asText()),
              Base64URL.encode(hex(v.get("sig").asText())));
        } catch (JOSEException | RuntimeException e) {
          verified = false;
        }
        boolean jdkRejects = JDK_REJECTS.getOrDefault(file, Map.of()).containsKey(v.get("tcId").asInt());
        boolean tolerated = "acceptable".equals(result) || jdkRejects && !verified;
        if (!tolerated && verified != "valid".equals(result)) {
          t.failures.add("tcId " + v.get("tcId").asInt() + " (" + v.get("comment").asText() + ", " + result + ", flags "
              + v.get("flags") + "): " + (verified ? "verified" : "rejected"));
        }
        t.count(result + (verified ? "-verified" : "-rejected") + (jdkRejects ? "-by-the-jdk" : ""));
      }
    }
    t.finish(doc);
  }

  @Test
  void rocaKeyOfTheJwkVectorsIsDetected() {
    JsonNode set = load("json_web_key_test.json").get("testGroups").get(5).get("public");
    List<String> warnings = new ArrayList<>();
    try {
      assertEquals(List.of(), JwksParser.parse(set.toString(), warnings::add));
    } catch (ParseException e) {
      throw new AssertionError(e);
    }
    assertEquals(1, warnings.size(), warnings::toString);
    assertTrue(warnings.get(0).contains("ROCA"), warnings::toString);
  }

  @Test
  void ordinaryRsaKeysDoNotLookLikeRoca() {
    for (int i = 0; i < 20; i++) {
      RSAKey k = Tokens.rsa("k" + i);
      assertFalse(JwksParser.usable(List.of(k), w -> {}).isEmpty(), "a freshly generated key is usable");
    }
  }

  // --- helpers --------------------------------------------------------------------------------------

  static IssuerAuthenticator authenticator(List<JWK> keys) {
    return new IssuerAuthenticator(IssuerSpec.issuer(ISSUER).build(), ALL_ALGS, new StaticKeySource(ISSUER, keys), CLOCK);
  }

  static boolean verifies(IssuerAuthenticator a, String compact) {
    try {
      a.verifySignatureOnly(compact, StepListener.NONE);
      return true;
    } catch (TokenRejectedException e) {
      return false;
    }
  }

  /** The group's public key (or its private one: oct keys have no public form) as our JWKS parser keeps it, plus FILLER. */
  static List<JWK> groupKeys(JsonNode g, Tally t) {
    JsonNode key = g.has("public") ? g.get("public") : g.get("private");
    List<JWK> keys = new ArrayList<>();
    if (key != null) {
      List<String> warnings = new ArrayList<>();
      try {
        keys.addAll(JwksParser.parse(key.has("keys") ? key.toString() : "{\"keys\":[" + key + "]}", warnings::add));
      } catch (ParseException e) {
        throw new AssertionError(e);
      }
      t.counts.merge("keys-skipped", warnings.size(), Integer::sum);
    }
    keys.add(FILLER);
    return keys;
  }

  static JWK primitiveKey(JsonNode g) throws ParseException {
    JsonNode jwk = g.has("publicKeyJwk") ? g.get("publicKeyJwk") : g.get("keyJwk");
    if (jwk != null) {
      Map<String, Object> m = JSON.convertValue(jwk, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
      m.remove("alg"); // the vector's key is tried with the file's algorithm, as a JWKS key without alg would be
      return JWK.parse(m);
    }
    JsonNode pk = g.get("publicKey");
    if (pk.has("uncompressed")) { // 04 || x || y
      byte[] point = hex(pk.get("uncompressed").asText());
      int n = (point.length - 1) / 2;
      Curve curve = Curve.forStdName(pk.get("curve").asText());
      return new ECKey.Builder(curve, Base64URL.encode(java.util.Arrays.copyOfRange(point, 1, 1 + n)),
          Base64URL.encode(java.util.Arrays.copyOfRange(point, 1 + n, point.length))).build();
    }
    return new RSAKey.Builder(Base64URL.encode(new BigInteger(pk.get("modulus").asText(), 16)),
        Base64URL.encode(new BigInteger(pk.get("publicExponent").asText(), 16))).build();
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }
}
