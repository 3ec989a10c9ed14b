package io.github.kubeoidc.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wycheproof's ECDSA P1363 vectors (the JWS signature form) against the ES256/384/512 verifier the
 * pipeline uses, under each {@link Signatures.Engine}: every valid signature verifies, every invalid one is refused (malleability, r or s zero
 * or out of range, wrong lengths, invalid points).
 */
class EcdsaVerifierWycheproofTest {
  static final Path DIR = Path.of("..", "shared", "testdata", "wycheproof");

  /** A Wycheproof hex coordinate (may carry a leading 00) as the fixed-length base64url a JWK holds. */
  static Base64URL coordinate(String hex, com.nimbusds.jose.jwk.Curve crv) {
    java.math.BigInteger n = new java.math.BigInteger(hex, 16);
    int len = (crv.toECParameterSpec().getCurve().getField().getFieldSize() + 7) / 8;
    byte[] raw = n.toByteArray();
    byte[] out = new byte[len];
    int copy = Math.min(raw.length, len);
    System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
    return Base64URL.encode(out);
  }

  static Stream<Arguments> cases() {
    return Stream.of(Signatures.Engine.values()).flatMap(e -> Stream.of("ecdsa_secp256r1_sha256_p1363_test.json",
        "ecdsa_secp384r1_sha384_p1363_test.json", "ecdsa_secp521r1_sha512_p1363_test.json").map(f -> Arguments.of(f, e)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void vectors(String file, Signatures.Engine engine) throws Exception {
    Path p = DIR.resolve(file);
    assertTrue(Files.isRegularFile(p), "Wycheproof vectors missing at " + p.toAbsolutePath()
        + " (shared/testdata must sit beside the repository)");
    JsonNode doc = new ObjectMapper().readTree(p.toFile());
    List<String> wrong = new ArrayList<>();
    int valid = 0;
    int invalid = 0;
    for (JsonNode group : doc.get("testGroups")) {
      JsonNode pub = group.get("publicKey");
      com.nimbusds.jose.jwk.Curve crv = switch (pub.get("curve").asText()) {
        case "secp256r1" -> com.nimbusds.jose.jwk.Curve.P_256;
        case "secp384r1" -> com.nimbusds.jose.jwk.Curve.P_384;
        default -> com.nimbusds.jose.jwk.Curve.P_521;
      };
      JWSAlgorithm alg = com.nimbusds.jose.JWSAlgorithm.Family.EC.stream()
          .filter(a -> com.nimbusds.jose.jwk.Curve.forJWSAlgorithm(a).contains(crv)).findFirst().orElseThrow();
      EcdsaVerifier v;
      try {
        v = EcdsaVerifier.of(new ECKey.Builder(crv, coordinate(pub.get("wx").asText(), crv), coordinate(pub.get("wy").asText(), crv))
            .build(), Signatures.nativeProvider(engine));
      } catch (JOSEException | IllegalArgumentException | IllegalStateException e) {
        v = null; // a key that cannot be used: all its signatures count as refused
      }
      for (JsonNode t : group.get("tests")) {
        byte[] msg = HexFormat.of().parseHex(t.get("msg").asText());
        byte[] sig = HexFormat.of().parseHex(t.get("sig").asText());
        boolean ok = v != null && v.verify(new JWSHeader(alg), msg, Base64URL.encode(sig));
        String result = t.get("result").asText();
        if (result.equals("valid")) {
          valid++;
        } else {
          invalid++;
        }
        if (result.equals("valid") != ok && !result.equals("acceptable")) {
          wrong.add("tcId " + t.get("tcId") + " (" + t.get("comment").asText() + "): expected " + result + ", got " + ok);
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(valid > 0 && invalid > 0, file + ": " + valid + " valid, " + invalid + " invalid");
  }
}
