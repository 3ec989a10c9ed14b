package io.github.kubeoidc.token;

import static io.github.kubeoidc.token.IssuerAuthenticatorTest.ALG_LIST_ALL;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.ALL_ALGS;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.CLOCK;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.EC_256;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.EC_384;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.EC_521;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.ISSUER;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.JANE;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.LEGACY_ALGS;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.NOW_S;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.RSA_1;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.VALID;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.claims;
import static io.github.kubeoidc.token.IssuerAuthenticatorTest.json;
import static io.github.kubeoidc.token.Tokens.b64;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpServer;
import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.http.ServerOptions;
import io.github.kubeoidc.keys.JwksParser;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.keys.StaticKeySource;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.testing.Http;
import io.github.kubeoidc.tls.Pem;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import io.github.kubeoidc.token.AuthResult.Rejected;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens an attacker crafts (issue 4, "Hostile tokens"), as one table: each is rejected with exactly this
 * reason and {@code status.error}, no user, and a single failing {@code check} step whose text is one line.
 * A second table feeds hostile keys to {@link JwksParser}: each is skipped alone and the rest of the key set
 * keeps working.
 *
 * <p>Every token is routed through an {@link IssuerRouter} to the issuer of {@link IssuerAuthenticatorTest}
 * (same keys, same pinned clock), configured with {@code RS256} only (as {@code --oidc-signing-algs}) unless
 * a case allows all asymmetric algorithms. The issuer publishes RSA_1 (kid {@code rsa-1}) and one EC key per
 * curve ({@code ec-256}, {@code ec-384}, {@code ec-521}).
 *
 * <p>Headers that point at keys ({@code jku}, {@code x5u}) point at {@link #ATTACKER}, a local HTTP server
 * that serves the attacker's key and counts requests: the verifier must never ask it for anything.
 */
class HostileTokenTest {
  static final JWK ATTACKER_RSA = Tokens.rsa("attacker");
  static final AttackerServer ATTACKER = new AttackerServer();
  /** An EC certificate from a CA the attacker runs, for {@code x5c}. */
  static final DevCa.Issued ATTACKER_CERT = new DevCa("attacker CA").client("attacker");

  static final String GOOD = claims(JANE);
  static final String BAD_SIGNATURE = "oidc: failed to verify signature";
  static final String NOT_A_JWS_HEADER = "oidc: malformed jwt: Invalid JWS header: Not a JWS header";
  static final String INVALID_HEADER_JSON = "oidc: malformed jwt: Invalid JWS header: Invalid JSON object";
  static final String BAD_AUD = "oidc: claim \"aud\" must be a string or an array of strings";
  static final String BAD_USERNAME = "oidc: parse username claims \"username\": claim is not a string";
  static final String BAD_GROUPS = "oidc: parse groups claim \"groups\": must be a string or an array of strings";

  @AfterAll
  static void stopAttacker() {
    ATTACKER.close();
  }

  record Case(String name, IssuerSpec spec, List<String> allowedAlgs, String token, Reason wantReason, String wantError) {
    Case allowingAll() {
      return new Case(name, spec, ALL_ALGS, token, wantReason, wantError);
    }

    Case with(IssuerSpec s) {
      return new Case(name, s, allowedAlgs, token, wantReason, wantError);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Case reject(String name, String token, Reason reason, String error) {
    return new Case(name, IssuerSpec.issuer(ISSUER), LEGACY_ALGS, token, reason, error);
  }

  static Stream<Case> cases() {
    List<Case> c = new ArrayList<>();
    String honest = rs256(header("'kid':'rsa-1'"), GOOD, RSA_1);
    String rsaSignature = Tokens.signaturePart(honest);

    // --- alg none, in every casing (CVE-2015-9235 and its relatives) ----------------------------------
    // "none" (exactly) is nimbus's unsecured JWS, which SignedJWT refuses to parse as a JWS at all.
    c.add(reject("alg-none", Tokens.compact(json("{'alg':'none'}"), GOOD, ""), Reason.MALFORMED_TOKEN, NOT_A_JWS_HEADER));
    c.add(reject("alg-none-with-kid-and-signature", Tokens.compact(json("{'alg':'none','kid':'rsa-1'}"), GOOD, rsaSignature),
        Reason.MALFORMED_TOKEN, NOT_A_JWS_HEADER));
    // Any other casing is just an algorithm name that is not on the list.
    for (String none : List.of("None", "NONE", "nOnE")) {
      c.add(reject("alg-" + none, Tokens.compact(json("{'alg':'" + none + "','kid':'rsa-1'}"), GOOD, rsaSignature),
          Reason.ALGORITHM_NOT_ALLOWED, notAllowed(none)));
      c.add(reject("alg-" + none + "-all-algorithms-allowed",
          Tokens.compact(json("{'alg':'" + none + "'}"), GOOD, rsaSignature),
          Reason.ALGORITHM_NOT_ALLOWED, notAllowedOfAll(none)).allowingAll());
    }
    c.add(reject("alg-None-empty-signature", Tokens.compact(json("{'alg':'None'}"), GOOD, ""),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: The signature must not be empty"));

    // --- HMAC, however keyed (the RS256-to-HS256 key confusion attack) -----------------------------------
    byte[] random = new byte[64];
    new java.security.SecureRandom().nextBytes(random);
    Map<String, byte[]> secrets = new java.util.LinkedHashMap<>();
    secrets.put("random-secret", random);
    secrets.put("rsa-public-key-pem", publicKeyPem(RSA_1).getBytes(US_ASCII));
    secrets.put("rsa-public-key-der", publicKeyDer(RSA_1));
    secrets.put("rsa-public-jwk-json", RSA_1.toPublicJWK().toJSONString().getBytes(UTF_8));
    for (JWSAlgorithm hs : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
      for (Map.Entry<String, byte[]> s : secrets.entrySet()) {
        String name = hs.getName().toLowerCase() + "-keyed-with-" + s.getKey();
        String token = hmac(hs, s.getValue(), header(hs, "'kid':'rsa-1','typ':'JWT'"), GOOD);
        c.add(reject(name, token, Reason.ALGORITHM_NOT_ALLOWED, notAllowed(hs.getName())));
        c.add(reject(name + "-all-algorithms-allowed", token, Reason.ALGORITHM_NOT_ALLOWED, notAllowedOfAll(hs.getName())).allowingAll());
      }
    }
    c.add(reject("hs256-without-kid", hmac(JWSAlgorithm.HS256, publicKeyDer(RSA_1), header(JWSAlgorithm.HS256, ""), GOOD),
        Reason.ALGORITHM_NOT_ALLOWED, notAllowed("HS256")));
    c.add(reject("hs256-lowercase-name", Tokens.compact(json("{'alg':'hs256','kid':'rsa-1'}"), GOOD, rsaSignature),
        Reason.ALGORITHM_NOT_ALLOWED, notAllowed("hs256")));

    // --- algorithms the configuration does not allow (legacy default: RS256 only) -----------------------
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384,
        JWSAlgorithm.PS512)) {
      c.add(reject(alg.getName().toLowerCase() + "-not-configured", sign(header(alg, "'kid':'rsa-1'"), GOOD, RSA_1, alg),
          Reason.ALGORITHM_NOT_ALLOWED, notAllowed(alg.getName())));
    }
    c.add(reject("es256-not-configured", sign(header(JWSAlgorithm.ES256, "'kid':'ec-256'"), GOOD, EC_256, JWSAlgorithm.ES256),
        Reason.ALGORITHM_NOT_ALLOWED, notAllowed("ES256")));
    c.add(reject("es384-not-configured", sign(header(JWSAlgorithm.ES384, "'kid':'ec-384'"), GOOD, EC_384, JWSAlgorithm.ES384),
        Reason.ALGORITHM_NOT_ALLOWED, notAllowed("ES384")));
    c.add(reject("es512-not-configured", sign(header(JWSAlgorithm.ES512, "'kid':'ec-521'"), GOOD, EC_521, JWSAlgorithm.ES512),
        Reason.ALGORITHM_NOT_ALLOWED, notAllowed("ES512")));
    for (String alg : List.of("EdDSA", "ES256K", "RS1", "", "RSA-OAEP-256 ")) {
      c.add(reject("alg-unknown-" + (alg.isBlank() ? "empty" : alg.strip().toLowerCase()),
          Tokens.compact(json("{'alg':'" + alg + "','kid':'rsa-1'}"), GOOD, rsaSignature),
          Reason.ALGORITHM_NOT_ALLOWED, notAllowedOfAll(alg)).allowingAll());
    }
    c.add(reject("alg-of-jwe-in-three-parts", Tokens.compact(json("{'alg':'RSA-OAEP-256','enc':'A256GCM','kid':'rsa-1'}"), GOOD, rsaSignature),
        Reason.MALFORMED_TOKEN, NOT_A_JWS_HEADER));
    c.add(reject("alg-number", Tokens.compact(json("{'alg':256,'kid':'rsa-1'}"), GOOD, rsaSignature),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: Invalid JWS header: Unexpected type of JSON object member alg"));
    c.add(reject("alg-array", Tokens.compact(json("{'alg':['RS256'],'kid':'rsa-1'}"), GOOD, rsaSignature),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: Invalid JWS header: Unexpected type of JSON object member alg"));
    // Found by fuzzing (TokenFuzzTestInputs/mutatedRealToken/crash-ebd3a12...): nimbus threw NullPointerException.
    for (String notAnObject : List.of("null", "[]", "\"RS256\"", "42", "true")) {
      c.add(reject("header-json-" + typeName(notAnObject.replace('"', '\'')), Tokens.compact(notAnObject, GOOD, rsaSignature),
          Reason.MALFORMED_TOKEN, switch (notAnObject) {
            case "null" -> "oidc: malformed jwt: unreadable JWS header";
            case "[]" -> "oidc: malformed jwt: Invalid JWS header: Missing \"alg\" in header JSON object"; // nimbus reads [] as {}
            default -> INVALID_HEADER_JSON;
          }));
    }
    c.add(reject("alg-null", Tokens.compact(json("{'alg':null,'kid':'rsa-1'}"), GOOD, rsaSignature),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: Invalid JWS header: Missing \"alg\" in header JSON object"));

    // --- keys named by the token itself: never fetched, never trusted ------------------------------------
    String attackerJwk = ATTACKER_RSA.toPublicJWK().toJSONString();
    // CVE-2018-0114: a key embedded in the header.
    c.add(reject("jwk-header-attacker-key-issuer-kid", rs256(header("'kid':'rsa-1','jwk':" + attackerJwk), GOOD, ATTACKER_RSA),
        Reason.INVALID_SIGNATURE, BAD_SIGNATURE));
    c.add(reject("jwk-header-attacker-key-no-kid", rs256(header("'jwk':" + attackerJwk), GOOD, ATTACKER_RSA),
        Reason.INVALID_SIGNATURE, BAD_SIGNATURE));
    c.add(reject("jwk-header-attacker-key-and-kid", rs256(header("'kid':'attacker','jwk':" + attackerJwk), GOOD, ATTACKER_RSA),
        Reason.KEY_NOT_FOUND, "oidc: no RS256 key with kid \"attacker\" in the issuer's key set"));
    c.add(reject("jku-header-attacker-url", rs256(header("'kid':'attacker','jku':'" + ATTACKER.url("/jwks.json") + "'"), GOOD, ATTACKER_RSA),
        Reason.KEY_NOT_FOUND, "oidc: no RS256 key with kid \"attacker\" in the issuer's key set"));
    c.add(reject("jku-header-attacker-url-issuer-kid", rs256(header("'kid':'rsa-1','jku':'" + ATTACKER.url("/jwks.json") + "'"), GOOD, ATTACKER_RSA),
        Reason.INVALID_SIGNATURE, BAD_SIGNATURE));
    c.add(reject("x5u-header-attacker-url", rs256(header("'x5u':'" + ATTACKER.url("/cert.pem") + "'"), GOOD, ATTACKER_RSA),
        Reason.INVALID_SIGNATURE, BAD_SIGNATURE));
    c.add(reject("x5u-header-attacker-url-issuer-kid", rs256(header("'kid':'rsa-1','x5u':'" + ATTACKER.url("/cert.pem") + "'"), GOOD, ATTACKER_RSA),
        Reason.INVALID_SIGNATURE, BAD_SIGNATURE));
    String x5c = "'x5c':['" + Base64.getEncoder().encodeToString(der(ATTACKER_CERT)) + "']";
    c.add(reject("x5c-header-attacker-certificate", es256ByAttacker(header(JWSAlgorithm.ES256, x5c), GOOD),
        Reason.INVALID_SIGNATURE, BAD_SIGNATURE).allowingAll());
    c.add(reject("x5c-header-attacker-certificate-issuer-kid", es256ByAttacker(header(JWSAlgorithm.ES256, "'kid':'ec-256'," + x5c), GOOD),
        Reason.INVALID_SIGNATURE, BAD_SIGNATURE).allowingAll());
    c.add(reject("jwk-jku-x5u-x5c-all-at-once", rs256(header("'jwk':" + attackerJwk + ",'jku':'" + ATTACKER.url("/jwks.json")
            + "','x5u':'" + ATTACKER.url("/cert.pem") + "'," + x5c), GOOD, ATTACKER_RSA),
        Reason.INVALID_SIGNATURE, BAD_SIGNATURE));

    // --- crit (RFC 7515 §4.1.11): signed by the real issuer key, still refused -------------------------------
    c.add(reject("crit-unknown-extension", rs256(header("'kid':'rsa-1','crit':['https://example.com/x'],'https://example.com/x':true"), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unsupported critical header parameters [\"https://example.com/x\"]"));
    c.add(reject("crit-names-absent-header", rs256(header("'kid':'rsa-1','crit':['exp']"), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unsupported critical header parameters [\"exp\"]"));
    c.add(reject("crit-names-registered-header", rs256(header("'kid':'rsa-1','crit':['alg']"), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unsupported critical header parameters [\"alg\"]"));
    c.add(reject("crit-empty-list", rs256(header("'kid':'rsa-1','crit':[]"), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unsupported critical header parameters []"));
    c.add(reject("crit-b64-false-unencoded-payload", rs256(header("'kid':'rsa-1','b64':false,'crit':['b64']"), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unsupported critical header parameters [\"b64\"]"));
    c.add(reject("b64-false-without-crit", rs256(header("'kid':'rsa-1','b64':false"), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unencoded payloads (b64=false) are not supported"));
    c.add(reject("crit-not-a-list", rs256(header("'kid':'rsa-1','crit':'exp'"), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: Invalid JWS header: Unexpected type of JSON object member crit"));

    // --- JWE: five parts, never decrypted, never ours ---------------------------------------------------
    c.add(reject("jwe-rsa-oaep-to-the-issuer-key", jwe(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM), GOOD),
        Reason.NOT_A_JWT, ""));
    c.add(reject("jwe-dir", jwe(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A128GCM), GOOD), Reason.NOT_A_JWT, ""));
    c.add(reject("jwe-shaped-empty-parts", b64(json("{'alg':'dir','enc':'A128GCM'}")) + "...." , Reason.NOT_A_JWT, ""));

    // --- nested JWTs: the outer token is judged on its own payload, never unwrapped ------------------------
    c.add(reject("nested-jwt-signed-outer", rs256(header("'kid':'rsa-1','cty':'JWT'"), honest, RSA_1), Reason.NOT_A_JWT, ""));
    c.add(reject("nested-jwt-unsigned-outer", Tokens.compact(json("{'alg':'none','cty':'JWT'}"), honest, ""), Reason.NOT_A_JWT, ""));
    c.add(reject("nested-jwt-as-json-string", rs256(header("'kid':'rsa-1','cty':'JWT'"), "\"" + honest + "\"", RSA_1),
        Reason.NOT_A_JWT, ""));
    c.add(reject("nested-jwt-outer-claims-without-exp", rs256(header("'kid':'rsa-1','cty':'JWT'"),
            json("{'iss':'" + ISSUER + "','jwt':'" + honest + "'}"), RSA_1),
        Reason.INVALID_CLAIM, "oidc: claim \"exp\" is required"));

    // --- ECDSA signatures that must never verify (CVE-2022-21449 and range checks) -----------------------
    addEcdsa(c, "es256", EC_256, JWSAlgorithm.ES256);
    addEcdsa(c, "es384", EC_384, JWSAlgorithm.ES384);
    addEcdsa(c, "es512", EC_521, JWSAlgorithm.ES512);

    // --- duplicate member names ---------------------------------------------------------------------------
    // nimbus's header parser refuses duplicates itself (so no check of ours is needed there); the payload
    // parser of UnverifiedToken uses STRICT_DUPLICATE_DETECTION.
    c.add(reject("header-duplicate-alg", rs256("{\"alg\":\"RS256\",\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, INVALID_HEADER_JSON));
    c.add(reject("header-duplicate-alg-reversed", rs256("{\"alg\":\"HS256\",\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, INVALID_HEADER_JSON));
    c.add(reject("header-duplicate-kid", rs256("{\"alg\":\"RS256\",\"kid\":\"other\",\"kid\":\"rsa-1\"}", GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, INVALID_HEADER_JSON));
    c.add(reject("header-duplicate-crit", rs256("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"x\"],\"crit\":[]}", GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, INVALID_HEADER_JSON));
    for (String dup : List.of("'iss':'https://evil.example.com'", "'exp':" + VALID, "'aud':'my-client'", "'username':'admin'")) {
      String member = dup.substring(1, dup.indexOf('\'', 1));
      c.add(reject("payload-duplicate-" + member, rs256(header("'kid':'rsa-1'"), claims(JANE + "," + dup), RSA_1), Reason.NOT_A_JWT, ""));
    }
    c.add(reject("payload-duplicate-in-nested-object", rs256(header("'kid':'rsa-1'"), claims(JANE + ",'address':{'a':1,'a':2}"), RSA_1),
        Reason.NOT_A_JWT, ""));

    // --- wrong JSON types in registered and mapped claims (null is a type, not absence) --------------------
    String base = "'iss':'" + ISSUER + "','aud':'my-client'," + JANE;
    for (String v : List.of("42", "true", "null", "['" + ISSUER + "']", "{'url':'" + ISSUER + "'}")) {
      c.add(reject("iss-" + typeName(v), signedClaims("{'iss':" + v + ",'aud':'my-client','exp':" + VALID + "," + JANE + "}"),
          Reason.NOT_A_JWT, ""));
    }
    for (String v : List.of("42", "true", "null", "{'aud':'my-client'}", "['my-client',null]", "['my-client',7]", "[['my-client']]")) {
      c.add(reject("aud-" + typeName(v), signedClaims("{'iss':'" + ISSUER + "','aud':" + v + ",'exp':" + VALID + "," + JANE + "}"),
          Reason.INVALID_CLAIM, BAD_AUD));
    }
    for (String claim : List.of("exp", "nbf", "iat")) {
      for (String v : List.of("null", "'" + NOW_S + "'", "true", "[" + VALID + "]", "{'seconds':" + VALID + "}")) {
        String members = claim.equals("exp") ? base + ",'exp':" + v : base + ",'exp':" + VALID + ",'" + claim + "':" + v;
        c.add(reject(claim + "-" + typeName(v), signedClaims("{" + members + "}"),
            Reason.INVALID_CLAIM, "oidc: claim \"" + claim + "\" must be a number"));
      }
    }
    for (String v : List.of("42", "1.5", "true", "null", "['jane']", "{'name':'jane'}")) {
      c.add(reject("username-" + typeName(v), signedClaims("{'iss':'" + ISSUER + "','aud':'my-client','exp':" + VALID + ",'username':" + v + "}"),
          Reason.USERNAME_INVALID, BAD_USERNAME));
    }
    for (String v : List.of("42", "true", "{'team':true}", "['team1',7]", "['team1',null]", "['team1',['team2']]", "[{}]")) {
      c.add(reject("groups-" + typeName(v), signedClaims("{" + base + ",'exp':" + VALID + ",'groups':" + v + "}"),
          Reason.GROUPS_INVALID, BAD_GROUPS).with(IssuerSpec.issuer(ISSUER).groups("groups", "")));
    }

    // --- exp (and nbf, iat) overflowing or far beyond any sane date ----------------------------------------
    for (String v : List.of(String.valueOf((1L << 40) + 1), String.valueOf(Long.MAX_VALUE), "9223372036854775808",
        "18446744073709551616", "-9223372036854775809", "1e19", "1e300", "1e400", "-1e400", "1.7976931348623157e308")) {
      c.add(reject("exp-out-of-range-" + v, signedClaims("{" + base + ",'exp':" + v + "}"),
          Reason.INVALID_CLAIM, "oidc: claim \"exp\" is out of range"));
    }
    c.add(reject("nbf-out-of-range", signedClaims("{" + base + ",'exp':" + VALID + ",'nbf':1e400}"),
        Reason.INVALID_CLAIM, "oidc: claim \"nbf\" is out of range"));
    c.add(reject("iat-out-of-range", signedClaims("{" + base + ",'exp':" + VALID + ",'iat':-9223372036854775809}"),
        Reason.INVALID_CLAIM, "oidc: claim \"iat\" is out of range"));
    c.add(reject("exp-smallest-double-is-expired", signedClaims("{" + base + ",'exp':4.9e-324}"),
        Reason.EXPIRED, "oidc: token is expired (Token Expiry: 1970-01-01T00:00:00Z)"));
    // Jackson refuses numbers longer than 1000 characters before converting them (StreamReadConstraints).
    c.add(reject("exp-number-of-1500-digits", signedClaims("{" + base + ",'exp':1" + "0".repeat(1500) + "}"), Reason.NOT_A_JWT, ""));
    c.add(reject("exp-nan-literal", signedClaims("{" + base + ",'exp':NaN}"), Reason.NOT_A_JWT, ""));
    c.add(reject("exp-infinity-literal", signedClaims("{" + base + ",'exp':Infinity}"), Reason.NOT_A_JWT, ""));

    // --- deeply nested JSON ----------------------------------------------------------------------------------
    // Payload: UnverifiedToken caps nesting at 32. Header: nimbus refuses a few hundred levels.
    c.add(reject("payload-nested-33-arrays", signedClaims(GOOD.substring(0, GOOD.length() - 1) + ",'deep':" + "[".repeat(32) + "]".repeat(32) + "}"),
        Reason.NOT_A_JWT, ""));
    c.add(reject("payload-nested-10000-arrays", signedClaims(GOOD.substring(0, GOOD.length() - 1) + ",'deep':" + "[".repeat(10000) + "]".repeat(10000) + "}"),
        Reason.NOT_A_JWT, ""));
    c.add(reject("payload-nested-5000-objects", signedClaims(GOOD.substring(0, GOOD.length() - 1) + ",'deep':" + "{'a':".repeat(5000) + "1" + "}".repeat(5000) + "}"),
        Reason.NOT_A_JWT, ""));
    c.add(reject("header-nested-1000-arrays", rs256(header("'kid':'rsa-1','deep':" + "[".repeat(1000) + "]".repeat(1000)), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, INVALID_HEADER_JSON));
    c.add(reject("header-nested-3000-objects", rs256(header("'kid':'rsa-1','deep':" + "{'a':".repeat(3000) + "1" + "}".repeat(3000)), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, INVALID_HEADER_JSON));
    c.add(reject("header-longer-than-nimbus-accepts", rs256(header("'kid':'rsa-1','pad':'" + "x".repeat(20000) + "'"), GOOD, RSA_1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: Invalid JWS header: The parsed string is longer than the max acc..."));

    // --- size ------------------------------------------------------------------------------------------------
    int max = IssuerRouter.DEFAULT_MAX_TOKEN_BYTES;
    String tooLarge = "oidc: token exceeds " + max + " bytes";
    c.add(reject("token-just-over-the-limit", validTokenLongerThan(max), Reason.TOKEN_TOO_LARGE, tooLarge));
    c.add(reject("token-of-a-megabyte", validTokenLongerThan(1 << 20), Reason.TOKEN_TOO_LARGE, tooLarge));
    c.add(reject("token-of-a-megabyte-of-dots", ".".repeat(1 << 20), Reason.TOKEN_TOO_LARGE, tooLarge));

    // --- spec.token that is not strict base64url compact form ---------------------------------------------
    Map<String, UnaryOperator<String>> shapes = new java.util.LinkedHashMap<>();
    shapes.put("leading-space", t -> " " + t);
    shapes.put("trailing-space", t -> t + " ");
    shapes.put("leading-tab", t -> "\t" + t);
    shapes.put("trailing-newline", t -> t + "\n");
    shapes.put("trailing-crlf", t -> t + "\r\n");
    shapes.put("newline-after-header", t -> t.replaceFirst("\\.", ".\n"));
    shapes.put("newline-inside-signature", t -> t.substring(0, t.length() - 10) + "\n" + t.substring(t.length() - 10));
    shapes.put("space-inside-payload", t -> insertAt(t, t.indexOf('.') + 5, " "));
    shapes.put("bearer-prefix", t -> "Bearer " + t);
    shapes.put("bearer-prefix-lowercase", t -> "bearer " + t);
    shapes.put("bearer-prefix-tab", t -> "Bearer\t" + t);
    shapes.put("padding-on-signature", t -> t + "==");
    shapes.put("padding-on-header", t -> t.replaceFirst("\\.", "=."));
    shapes.put("padding-on-payload", t -> insertAt(t, t.lastIndexOf('.'), "="));
    shapes.put("non-ascii-letter", t -> insertAt(t, t.indexOf('.') + 3, "é"));
    shapes.put("fullwidth-letter", t -> insertAt(t, t.indexOf('.') + 3, "Ａ"));
    shapes.put("zero-width-space", t -> insertAt(t, t.indexOf('.') + 3, "\u200b"));
    shapes.put("nul-character", t -> insertAt(t, t.indexOf('.') + 3, "\u0000"));
    shapes.put("line-separator", t -> insertAt(t, t.indexOf('.') + 3, "\u2028"));
    shapes.put("percent-encoded-dot", t -> t.replaceFirst("\\.", "%2E"));
    shapes.put("empty-header", t -> t.substring(t.indexOf('.')));
    shapes.put("empty-payload", t -> t.substring(0, t.indexOf('.') + 1) + t.substring(t.lastIndexOf('.')));
    shapes.put("all-parts-empty", t -> "..");
    shapes.put("no-dots", t -> t.replace(".", ""));
    shapes.put("one-dot", t -> t.substring(0, t.lastIndexOf('.')));
    shapes.put("three-dots-trailing", t -> t + ".");
    shapes.put("three-dots-extra-part", t -> t + ".c2ln");
    shapes.put("four-dots", t -> t + ".c2ln.c2ln");
    shapes.put("five-dots", t -> t + ".a.b.c");
    shapes.put("dangling-character-in-signature", t -> t + "AAA");
    shapes.put("empty", t -> "");
    for (Map.Entry<String, UnaryOperator<String>> s : shapes.entrySet()) {
      c.add(reject("token-" + s.getKey(), s.getValue().apply(honest), Reason.NOT_A_JWT, ""));
    }
    // Standard base64 ('+' and '/') instead of base64url, in a token signed over exactly those characters.
    String stdPayload = Base64.getEncoder().withoutPadding().encodeToString(claims(JANE + ",'x':'~~~???'").getBytes(UTF_8));
    c.add(reject("token-standard-base64-alphabet", signSegments(b64(header("'kid':'rsa-1'")), stdPayload, RSA_1, JWSAlgorithm.RS256),
        Reason.NOT_A_JWT, ""));
    // Unused bits set in the last character: the same bytes, another string (nimbus and the JDK accept it).
    c.add(reject("token-nonzero-unused-bits-in-signature", withUnusedBitSet(honest), Reason.NOT_A_JWT, ""));
    c.add(reject("token-nonzero-unused-bits-in-payload", withUnusedBitSetInPayload(), Reason.NOT_A_JWT, ""));
    c.add(reject("token-nonzero-unused-bits-in-es256-signature",
        withUnusedBitSet(sign(header(JWSAlgorithm.ES256, "'kid':'ec-256'"), GOOD, EC_256, JWSAlgorithm.ES256)),
        Reason.NOT_A_JWT, "").allowingAll());
    // The signature segment is checked by the signature layer too, not only by the router.
    c.add(reject("token-empty-signature", honest.substring(0, honest.lastIndexOf('.') + 1),
        Reason.MALFORMED_TOKEN, "oidc: malformed jwt: The signature must not be empty"));
    return c.stream();
  }

  /** ECDSA signatures with r or s zero, out of range, DER-encoded, or of the wrong length: never valid. */
  static void addEcdsa(List<Case> c, String prefix, ECKey key, JWSAlgorithm alg) {
    String honest = sign(header(alg, "'kid':'" + key.getKeyID() + "'"), GOOD, key, alg);
    String signingInput = honest.substring(0, honest.lastIndexOf('.'));
    byte[] sig = Base64.getUrlDecoder().decode(Tokens.signaturePart(honest));
    int half = sig.length / 2;
    BigInteger n = key.getCurve().toECParameterSpec().getOrder();
    byte[] r = Arrays.copyOfRange(sig, 0, half);
    byte[] s = Arrays.copyOfRange(sig, half, sig.length);
    byte[] zero = new byte[half];
    byte[] order = fixed(n, half);
    byte[] ones = new byte[half];
    Arrays.fill(ones, (byte) 0xff);
    Map<String, byte[]> sigs = new java.util.LinkedHashMap<>();
    sigs.put("r-zero", concat(zero, s));
    sigs.put("s-zero", concat(r, zero));
    sigs.put("all-zero", new byte[sig.length]);
    sigs.put("r-equals-n", concat(order, s));
    sigs.put("s-equals-n", concat(r, order));
    sigs.put("r-plus-n", concat(fixed(new BigInteger(1, r).add(n).mod(BigInteger.ONE.shiftLeft(half * 8)), half), s));
    sigs.put("r-all-ones", concat(ones, s));
    sigs.put("s-all-ones", concat(r, ones));
    sigs.put("r-and-s-equal-n", concat(order, order));
    sigs.put("r-one-s-one", concat(fixed(BigInteger.ONE, half), fixed(BigInteger.ONE, half)));
    try {
      sigs.put("der-encoded", ECDSA.transcodeSignatureToDER(sig));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    sigs.put("one-byte-short", Arrays.copyOf(sig, sig.length - 1));
    sigs.put("one-byte-long", Arrays.copyOf(sig, sig.length + 1));
    sigs.put("double-length", concat(sig, sig));
    sigs.put("r-only", r);
    for (Map.Entry<String, byte[]> e : sigs.entrySet()) {
      String token = signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(e.getValue());
      c.add(reject(prefix + "-signature-" + e.getKey(), token, Reason.INVALID_SIGNATURE, BAD_SIGNATURE).allowingAll());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hostileTokenIsRejected(Case c) {
    int requestsBefore = ATTACKER.requests();
    StepListenerTest.Recorder steps = new StepListenerTest.Recorder();
    AuthResult got = router(c.spec(), c.allowedAlgs(), published()).authenticate(c.token(), steps);

    Rejected r = assertInstanceOf(Rejected.class, got, () -> "a hostile token must not authenticate: " + got);
    assertEquals(c.wantReason() + ": " + c.wantError(), r.reason() + ": " + r.detail());
    assertEquals(1, steps.failed().size(), () -> "exactly one failing step: " + steps.steps);
    assertTrue(StepListenerTest.failingStepFor(r.reason()).contains(steps.failed().get(0).step()), () -> steps.steps.toString());
    assertOneLine(r.detail());
    steps.steps.forEach(s -> assertOneLine(s.detail()));
    assertEquals(requestsBefore, ATTACKER.requests(), "the verifier fetched a URL named by the token");
  }

  /** The table's setup is not broken: the honest token of each shape authenticates under it. */
  @Test
  void honestTokensAuthenticateUnderTheSameSetup() {
    String rs = rs256(header("'kid':'rsa-1'"), GOOD, RSA_1);
    assertInstanceOf(Authenticated.class, router(IssuerSpec.issuer(ISSUER), LEGACY_ALGS, published()).authenticate(rs));
    String atLimit = validTokenOfAtMost(IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
    assertTrue(atLimit.length() > IssuerRouter.DEFAULT_MAX_TOKEN_BYTES - 4, () -> "close to the limit: " + atLimit.length());
    assertInstanceOf(Authenticated.class, router(IssuerSpec.issuer(ISSUER), LEGACY_ALGS, published()).authenticate(atLimit),
        "a token up to the size limit is read");
    for (ECKey k : List.of(EC_256, EC_384, EC_521)) {
      JWSAlgorithm alg = DevIssuer.defaultAlgorithm(k);
      String es = sign(header(alg, "'kid':'" + k.getKeyID() + "'"), GOOD, k, alg);
      assertInstanceOf(Authenticated.class, router(IssuerSpec.issuer(ISSUER), ALL_ALGS, published()).authenticate(es), alg::getName);
    }
    String std = signSegments(b64(header("'kid':'rsa-1'")), Base64.getUrlEncoder().withoutPadding()
        .encodeToString(claims(JANE + ",'x':'~~~???'").getBytes(UTF_8)), RSA_1, JWSAlgorithm.RS256);
    assertInstanceOf(Authenticated.class, router(IssuerSpec.issuer(ISSUER), LEGACY_ALGS, published()).authenticate(std),
        "the same claims in base64url authenticate");
  }

  @Test
  void routerWhenTokenExceedsAConfiguredLimitThenRejectsUnread() {
    String token = rs256(header("'kid':'rsa-1'"), GOOD, RSA_1);
    assertInstanceOf(Authenticated.class, routerWithLimit(token.length()).authenticate(token), "the limit is inclusive");
    Rejected r = assertInstanceOf(Rejected.class, routerWithLimit(token.length() - 1).authenticate(token));
    assertEquals("TOKEN_TOO_LARGE: oidc: token exceeds " + (token.length() - 1) + " bytes", r.reason() + ": " + r.detail());
  }

  /**
   * The verifier remembers the headers of tokens that verified (to skip parsing them again): a remembered header
   * must never stand in for the signature. Each hostile token goes to an authenticator that has just verified an
   * honest token with the same header segment (where the header is sound enough for that); every answer must be
   * the one a fresh authenticator gives.
   */
  @Test
  void hostileTokensAnswerTheSameAfterAnHonestTokenWithTheirHeaderVerified() {
    int remembered = 0;
    for (Case c : cases().toList()) {
      IssuerRouter router = router(c.spec(), c.allowedAlgs(), published());
      String headerOfCase = c.token().contains(".") ? c.token().substring(0, c.token().indexOf('.')) : "";
      String honestWithSameHeader = signSegments(headerOfCase, b64(GOOD), RSA_1, JWSAlgorithm.RS256);
      if (router.authenticate(honestWithSameHeader) instanceof Authenticated) {
        remembered++;
      }
      Rejected r = assertInstanceOf(Rejected.class, router.authenticate(c.token()), c::name);
      assertEquals(c.wantReason() + ": " + c.wantError(), r.reason() + ": " + r.detail(), c.name());
    }
    assertTrue(remembered >= 20, "cases whose header had verified first: " + remembered);
  }

  static IssuerRouter routerWithLimit(int maxTokenBytes) {
    return new IssuerRouter(List.of(new IssuerAuthenticator(IssuerSpec.issuer(ISSUER).build(), LEGACY_ALGS,
        new StaticKeySource(ISSUER, published()), CLOCK)), maxTokenBytes);
  }

  /**
   * The same headers against the real server, whose keys come from a real issuer and are refetched on an
   * unknown kid: the issuer's JWKS may be fetched again, the URLs in the token never.
   */
  @Test
  void keyUrlsInHeadersAreNeverFetchedByTheRealServer(@TempDir Path dir) throws Exception {
    try (DevIssuer issuer = DevIssuer.start()) {
      Path cfg = Configs.write(dir, "authn.yaml",
          Configs.file(Configs.jwt(issuer, "k8s")));
      try (Webhook webhook = Webhook.start(
          ConfigLoader.load(cfg),
          new ServerOptions("127.0.0.1", 0, null, null, null, 0),
          Clock.systemUTC(), RemoteKeySource.DEFAULTS)) {
        Await.until("keys loaded", Duration.ofSeconds(20), () -> issuer.jwksFetches() > 0);
        URI http = webhook.urls().get(0);
        Http client = Http.plain();
        String payload = JSONObjectUtils.toJSONString(issuer.claims("k8s", "mallory"));
        String x5cMember = "'x5c':['" + Base64.getEncoder().encodeToString(der(ATTACKER_CERT)) + "']";
        int before = ATTACKER.requests();
        for (String members : List.of("'kid':'attacker','jku':'" + ATTACKER.url("/jwks.json") + "'",
            "'kid':'attacker2','x5u':'" + ATTACKER.url("/cert.pem") + "'",
            "'kid':'attacker3','jwk':" + ATTACKER_RSA.toPublicJWK().toJSONString(),
            "'jku':'" + ATTACKER.url("/jwks.json") + "','x5u':'" + ATTACKER.url("/cert.pem") + "'," + x5cMember)) {
          JsonNode j = client.review(http, "authentication.k8s.io/v1",
              rs256(header(members), payload, ATTACKER_RSA)).json();
          assertFalse(j.at("/status/authenticated").asBoolean(), j::toString);
          assertTrue(j.at("/status/user").isMissingNode(), j::toString);
        }
        assertEquals(before, ATTACKER.requests(), "the server fetched a URL named by a token");
      }
    }
  }

  // --- CR/LF in header values never reach status.error or check output raw ----------------------------

  record LineBreakCase(String name, String headerJson, List<String> allowedAlgs, Reason wantReason, String wantError) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<LineBreakCase> lineBreakCases() {
    return Stream.of(
        new LineBreakCase("kid-with-crlf", json("{'alg':'RS256','kid':'rsa-1\\r\\nX-Forged: yes'}"), LEGACY_ALGS,
            Reason.KEY_NOT_FOUND, "oidc: no RS256 key with kid \"rsa-1\\r\\nX-Forged: yes\" in the issuer's key set"),
        new LineBreakCase("kid-with-lf-only", json("{'alg':'RS256','kid':'\\nINFO authenticated user=admin'}"), LEGACY_ALGS,
            Reason.KEY_NOT_FOUND, "oidc: no RS256 key with kid \"\\nINFO authenticated user=admin\" in the issuer's key set"),
        new LineBreakCase("alg-with-crlf", json("{'alg':'RS256\\r\\nX-Forged: yes','kid':'rsa-1'}"), LEGACY_ALGS,
            Reason.ALGORITHM_NOT_ALLOWED, "oidc: token signed with algorithm \"RS256\\r\\nX-Forged: yes\", expected one of [RS256]"),
        // nimbus quotes the bad URL in its message, which goes into status.error: escaped there.
        new LineBreakCase("jku-with-crlf", json("{'alg':'RS256','kid':'rsa-1','jku':'/\\r\\nX-Forged: yes'}"), LEGACY_ALGS,
            Reason.MALFORMED_TOKEN, "oidc: malformed jwt: Invalid JWS header: Illegal character in path at index 1: /\\r\\nX-F..."),
        new LineBreakCase("crit-with-crlf", json("{'alg':'RS256','kid':'rsa-1','crit':['a\\r\\nX-Forged: yes']}"), LEGACY_ALGS,
            Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unsupported critical header parameters [\"a\\r\\nX-Forged: yes\"]"),
        new LineBreakCase("kid-with-unicode-line-separator", json("{'alg':'RS256','kid':'a\u2028b\u0085c'}"), LEGACY_ALGS,
            Reason.KEY_NOT_FOUND, "oidc: no RS256 key with kid \"a\\u2028b\\u0085c\" in the issuer's key set"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lineBreakCases")
  void lineBreaksFromTheHeaderNeverAppearRaw(LineBreakCase c) {
    StepListenerTest.Recorder steps = new StepListenerTest.Recorder();
    String token = rs256(c.headerJson(), GOOD, RSA_1);
    Rejected r = assertInstanceOf(Rejected.class, router(IssuerSpec.issuer(ISSUER), c.allowedAlgs(), published()).authenticate(token, steps));
    assertEquals(c.wantReason() + ": " + c.wantError(), r.reason() + ": " + r.detail());
    assertFalse(r.detail().contains("\r") || r.detail().contains("\n"), r.detail());
    for (StepListenerTest.Step s : steps.steps) {
      assertFalse(s.detail().contains("\r") || s.detail().contains("\n"), s.detail());
    }
  }

  // --- hostile keys in a JWKS: skipped one at a time, the rest stays usable ------------------------------

  record KeyCase(String name, Map<String, Object> badKey, String wantWarning) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<KeyCase> hostileKeys() {
    List<KeyCase> k = new ArrayList<>();
    ECKey ec = Tokens.ec(Curve.P_256, "bad");
    byte[] y = ec.getY().decode();
    y[y.length - 1] ^= 1;
    k.add(new KeyCase("ec-point-not-on-curve", ecJwk("P-256", ec.getX().toString(), b64u(y)),
        "key 0 skipped: Invalid EC JWK: The 'x' and 'y' public coordinates are not on the P-256 curve"));
    ECKey other = Tokens.ec(Curve.P_384, "bad");
    k.add(new KeyCase("ec-point-of-p384-labelled-p256", ecJwk("P-256", other.getX().toString(), other.getY().toString()),
        "key 0 skipped: Invalid EC JWK: The 'x' and 'y' public coordinates are not on the P-256 curve"));
    k.add(new KeyCase("ec-point-zero", ecJwk("P-256", b64u(new byte[32]), b64u(new byte[32])),
        "key 0 skipped: Invalid EC JWK: The 'x' and 'y' public coordinates are not on the P-256 curve"));
    k.add(new KeyCase("ec-coordinates-too-short", ecJwk("P-256", "AAAA", "AAAA"),
        "key 0 skipped: Invalid EC JWK: The 'x' and 'y' public coordinates are not on the P-256 curve"));
    // The generator of secp256k1: a valid point on a curve we do not accept.
    k.add(new KeyCase("ec-curve-secp256k1", ecJwk("secp256k1",
        b64u(fromHex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")),
        b64u(fromHex("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"))),
        "kid \"bad\" skipped: unsupported curve secp256k1"));
    k.add(new KeyCase("rsa-1024-bits", withKidBad(weakRsa(1024).toPublicJWK()),
        "kid \"bad\" skipped: RSA key of 1024 bits, at least 2048 required"));
    k.add(new KeyCase("rsa-2047-bits", rsaJwk(BigInteger.ONE.shiftLeft(2046).setBit(0), BigInteger.valueOf(65537)),
        "kid \"bad\" skipped: RSA key of 2047 bits, at least 2048 required"));
    BigInteger modulus = ((RSAKey) RSA_1).getModulus().decodeToBigInteger();
    // A 1024-bit modulus written with 128 leading zero bytes: 2048 bits by its encoding, 1024 by its value.
    byte[] n1024 = unsigned(weakRsa(1024).getModulus().decodeToBigInteger());
    k.add(new KeyCase("rsa-1024-bits-padded-with-zero-bytes",
        Map.of("kty", "RSA", "kid", "bad", "n", b64u(concat(new byte[128], n1024)), "e", "AQAB"),
        "kid \"bad\" skipped: RSA key of 1024 bits, at least 2048 required"));
    k.add(new KeyCase("rsa-exponent-1", rsaJwk(modulus, BigInteger.ONE), "kid \"bad\" skipped: unsafe RSA public exponent"));
    k.add(new KeyCase("rsa-exponent-2", rsaJwk(modulus, BigInteger.TWO), "kid \"bad\" skipped: unsafe RSA public exponent"));
    k.add(new KeyCase("rsa-exponent-even", rsaJwk(modulus, BigInteger.valueOf(65536)), "kid \"bad\" skipped: unsafe RSA public exponent"));
    k.add(new KeyCase("rsa-roca-modulus", rsaJwk(rocaModulus(), BigInteger.valueOf(65537)),
        "kid \"bad\" skipped: RSA modulus generated by a library with the ROCA flaw (CVE-2017-15361)"));
    k.add(new KeyCase("oct-secret", Map.of("kty", "oct", "kid", "bad", "k", b64u(new byte[32])),
        "kid \"bad\" skipped: key type oct cannot verify RS/PS/ES signatures"));
    Map<String, Object> enc = new java.util.HashMap<>(withKidBad(RSA_1.toPublicJWK()));
    enc.put("use", "enc");
    k.add(new KeyCase("rsa-use-enc", enc, "kid \"bad\" skipped: use is not \"sig\""));
    Map<String, Object> ops = new java.util.HashMap<>(withKidBad(RSA_1.toPublicJWK()));
    ops.put("key_ops", List.of("encrypt"));
    k.add(new KeyCase("rsa-key-ops-encrypt", ops, "kid \"bad\" skipped: key_ops does not include \"verify\""));
    Map<String, Object> crlf = new java.util.HashMap<>(withKidBad(weakRsa(1024).toPublicJWK()));
    crlf.put("kid", "bad\r\nX-Forged: yes");
    k.add(new KeyCase("kid-with-crlf-in-warning", crlf,
        "kid \"bad\\u000d\\u000aX-Forged: yes\" skipped: RSA key of 1024 bits, at least 2048 required"));
    return k.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileKeys")
  void hostileKeyIsSkippedAndTheRestOfTheSetStillWorks(KeyCase c) throws Exception {
    String jwks = JSONObjectUtils.toJSONString(
        Map.of("keys", List.of(c.badKey(), RSA_1.toPublicJWK().toJSONObject())));
    List<String> warnings = new ArrayList<>();
    List<JWK> keys = JwksParser.parse(jwks, warnings::add);

    assertEquals(List.of("rsa-1"), keys.stream().map(JWK::getKeyID).toList());
    assertEquals(List.of(c.wantWarning()), warnings);
    warnings.forEach(HostileTokenTest::assertOneLine);
    IssuerRouter router = router(IssuerSpec.issuer(ISSUER), ALL_ALGS, keys);
    assertInstanceOf(Authenticated.class, router.authenticate(rs256(header("'kid':'rsa-1'"), GOOD, RSA_1)));
    Rejected r = assertInstanceOf(Rejected.class, router.authenticate(rs256(header("'kid':'bad'"), GOOD, RSA_1)));
    assertEquals(Reason.KEY_NOT_FOUND, r.reason());
  }

  @Test
  void weakKeysAreSkippedOneAtATimeFromOneSet() throws Exception {
    BigInteger modulus = ((RSAKey) RSA_1).getModulus().decodeToBigInteger();
    List<Object> all = new ArrayList<>();
    all.add(withKid(weakRsa(1024).toPublicJWK(), "weak-1024"));
    all.add(withKid(rsaJwk(modulus, BigInteger.ONE), "exponent-1"));
    all.add(withKid(rsaJwk(rocaModulus(), BigInteger.valueOf(65537)), "roca"));
    all.add(RSA_1.toPublicJWK().toJSONObject());
    all.add(EC_256.toPublicJWK().toJSONObject());
    List<String> warnings = new ArrayList<>();
    List<JWK> keys = JwksParser.parse(JSONObjectUtils.toJSONString(Map.of("keys", all)), warnings::add);
    assertEquals(List.of("rsa-1", "ec-256"), keys.stream().map(JWK::getKeyID).toList());
    assertEquals(3, warnings.size(), warnings::toString);
  }

  /**
   * With e = 1 a "signature" is just the padded hash, which anyone can compute: the key must never be
   * used, even when it is the only one with the token's kid.
   */
  @Test
  void tokenForgedForAnExponentOneKeyIsRejected() throws Exception {
    RSAKey eOne = new RSAKey.Builder(((RSAKey) RSA_1).getModulus(), com.nimbusds.jose.util.Base64URL.encode(BigInteger.ONE))
        .keyID("e1").build();
    String signingInput = b64(header("'kid':'e1'")) + "." + b64(GOOD);
    byte[] digestInfo = concat(fromHex("3031300d060960864801650304020105000420"),
        java.security.MessageDigest.getInstance("SHA-256").digest(signingInput.getBytes(US_ASCII)));
    byte[] em = new byte[256];
    em[1] = 1;
    Arrays.fill(em, 2, 256 - digestInfo.length - 1, (byte) 0xff);
    System.arraycopy(digestInfo, 0, em, 256 - digestInfo.length, digestInfo.length);
    String forged = signingInput + "." + b64u(em);
    List<JWK> published = new ArrayList<>(published());
    published.add(eOne);
    Rejected r = assertInstanceOf(Rejected.class, router(IssuerSpec.issuer(ISSUER), LEGACY_ALGS, published).authenticate(forged));
    assertEquals("KEY_NOT_FOUND: oidc: no RS256 key with kid \"e1\" in the issuer's key set", r.reason() + ": " + r.detail());
  }

  // --- fixtures ----------------------------------------------------------------------------------------

  static List<JWK> published() {
    return List.of(RSA_1.toPublicJWK(), EC_256.toPublicJWK(), EC_384.toPublicJWK(), EC_521.toPublicJWK());
  }

  static IssuerRouter router(IssuerSpec spec, List<String> algs, List<JWK> keys) {
    return new IssuerRouter(List.of(new IssuerAuthenticator(spec.build(), algs, new StaticKeySource(ISSUER, keys), CLOCK)),
        IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
  }

  static void assertOneLine(String s) {
    assertFalse(s.contains("\r") || s.contains("\n") || s.contains("\u2028"), () -> "raw line break in: " + s);
  }

  static String notAllowed(String alg) {
    return "oidc: token signed with algorithm " + IssuerAuthenticator.quote(alg) + ", expected one of [RS256]";
  }

  static String notAllowedOfAll(String alg) {
    return "oidc: token signed with algorithm " + IssuerAuthenticator.quote(alg) + ", expected one of " + ALG_LIST_ALL;
  }

  /** {@code {"alg":"RS256", members}} from single-quoted members. */
  static String header(String members) {
    return header(JWSAlgorithm.RS256, members);
  }

  static String header(JWSAlgorithm alg, String members) {
    return json("{'alg':'" + alg.getName() + "'" + (members.isEmpty() ? "" : "," + members) + "}");
  }

  static String rs256(String headerJson, String payload, JWK key) {
    return sign(headerJson, payload, key, JWSAlgorithm.RS256);
  }

  static String signedClaims(String singleQuotedClaims) {
    return rs256(header("'kid':'rsa-1'"), json(singleQuotedClaims), RSA_1);
  }

  /** Signs exactly this header JSON (duplicates, nesting and all) and payload. */
  static String sign(String headerJson, String payload, JWK key, JWSAlgorithm alg) {
    return signSegments(b64(headerJson), b64(payload), key, alg);
  }

  static String signSegments(String headerSegment, String payloadSegment, JWK key, JWSAlgorithm alg) {
    try {
      JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
      return sign(headerSegment, payloadSegment, signer, alg);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sign(String headerSegment, String payloadSegment, JWSSigner signer, JWSAlgorithm alg) {
    try {
      String input = headerSegment + "." + payloadSegment;
      return input + "." + signer.sign(new JWSHeader(alg), input.getBytes(US_ASCII));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hmac(JWSAlgorithm alg, byte[] secret, String headerJson, String payload) {
    try {
      return sign(b64(headerJson), b64(payload), new MACSigner(secret), alg);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String es256ByAttacker(String headerJson, String payload) {
    try {
      ECPrivateKey key = (ECPrivateKey) Pem.privateKey(ATTACKER_CERT.privateKeyPem());
      return sign(b64(headerJson), b64(payload), new ECDSASigner(key), JWSAlgorithm.ES256);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String jwe(JWEHeader header, String payload) {
    try {
      JWEObject jwe = new JWEObject(header, new Payload(payload));
      if (JWEAlgorithm.DIR.equals(header.getAlgorithm())) {
        jwe.encrypt(new DirectEncrypter(new byte[16]));
      } else {
        jwe.encrypt(new RSAEncrypter((RSAKey) RSA_1.toPublicJWK()));
      }
      return jwe.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A valid token (RS256, RSA_1) whose padding claim holds this many characters. */
  static String padded(int pad) {
    return signedClaims("{'iss':'" + ISSUER + "','aud':'my-client','exp':" + VALID + "," + JANE + ",'pad':'" + "x".repeat(pad) + "'}");
  }

  /** The longest valid token of at most {@code length} characters. */
  static String validTokenOfAtMost(int length) {
    int pad = Math.max(0, (length - padded(0).length()) * 3 / 4 + 4);
    while (padded(pad).length() > length) {
      pad--;
    }
    return padded(pad);
  }

  /** The shortest valid token longer than {@code length} characters. */
  static String validTokenLongerThan(int length) {
    int pad = Math.max(0, (length - padded(0).length()) * 3 / 4 - 4);
    while (padded(pad).length() <= length) {
      pad++;
    }
    return padded(pad);
  }

  /** Sets an unused low bit of the token's last character (its signature's length must leave some). */
  static String withUnusedBitSet(String token) {
    String sig = Tokens.signaturePart(token);
    if (sig.length() % 4 == 0) {
      throw new IllegalStateException("no unused bits in a signature of " + sig.length() + " characters");
    }
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = token.charAt(token.length() - 1);
    return token.substring(0, token.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
  }

  /** A signed token whose payload segment has a set unused bit (the signature covers that exact string). */
  static String withUnusedBitSetInPayload() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int extra = 0; ; extra++) {
      String payload = b64(claims(JANE + ",'x':'" + "y".repeat(extra) + "'"));
      if (payload.length() % 4 != 0) {
        char last = payload.charAt(payload.length() - 1);
        String odd = payload.substring(0, payload.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
        return signSegments(b64(header("'kid':'rsa-1'")), odd, RSA_1, JWSAlgorithm.RS256);
      }
    }
  }

  static String insertAt(String s, int at, String insert) {
    return s.substring(0, at) + insert + s.substring(at);
  }

  static String typeName(String jsonValue) {
    String v = jsonValue.trim();
    if (v.equals("null") || v.equals("true") || v.equals("false")) {
      return v;
    }
    if (v.startsWith("'")) {
      return "string";
    }
    if (v.startsWith("[")) {
      return "array" + (v.contains("null") ? "-with-null" : v.matches(".*,\\s*\\d.*") ? "-with-number" : v.startsWith("[[") || v.contains(",[") ? "-nested" : v.contains("{") ? "-of-object" : "");
    }
    if (v.startsWith("{")) {
      return "object";
    }
    return v.contains(".") ? "float" : "number";
  }

  static String publicKeyPem(JWK key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(publicKeyDer(key))
        + "\n-----END PUBLIC KEY-----\n";
  }

  static byte[] publicKeyDer(JWK key) {
    try {
      return ((RSAKey) key).toRSAPublicKey().getEncoded();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] der(DevCa.Issued cert) {
    try {
      return cert.certificate().getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  static RSAKey weakRsa(int bits) {
    try {
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      java.security.KeyPair kp = g.generateKeyPair();
      return new RSAKey.Builder((java.security.interfaces.RSAPublicKey) kp.getPublic()).keyID("bad").build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A modulus with the ROCA structure: both primes {@code k * M + (65537^a mod M)}, M the product of the
   * primes up to 167 (what the fingerprint checks; Infineon's M had more primes, which changes nothing here).
   */
  static BigInteger rocaModulus() {
    BigInteger m = BigInteger.ONE;
    for (int p = 2; p < 168; p++) {
      if (BigInteger.valueOf(p).isProbablePrime(30)) {
        m = m.multiply(BigInteger.valueOf(p));
      }
    }
    // Primes in [2^1024 * 181/256, 2^1024), so that the product has exactly 2048 bits.
    BigInteger top = BigInteger.ONE.shiftLeft(1024);
    BigInteger lo = top.multiply(BigInteger.valueOf(181)).shiftRight(8).divide(m).add(BigInteger.ONE);
    BigInteger span = top.divide(m).subtract(lo);
    java.util.Random random = new java.util.Random(42);
    BigInteger g = BigInteger.valueOf(65537);
    BigInteger[] primes = new BigInteger[2];
    for (int i = 0; i < 2; ) {
      BigInteger k = lo.add(new BigInteger(span.bitLength(), random).mod(span));
      BigInteger candidate = k.multiply(m).add(g.modPow(BigInteger.valueOf(random.nextInt(1 << 20)), m));
      if (candidate.bitLength() == 1024 && candidate.isProbablePrime(40)) {
        primes[i++] = candidate;
      }
    }
    return primes[0].multiply(primes[1]);
  }

  static Map<String, Object> ecJwk(String crv, String x, String y) {
    return Map.of("kty", "EC", "crv", crv, "x", x, "y", y, "kid", "bad");
  }

  static Map<String, Object> rsaJwk(BigInteger n, BigInteger e) {
    return Map.of("kty", "RSA", "kid", "bad", "n", b64u(unsigned(n)), "e", b64u(unsigned(e)));
  }

  static Map<String, Object> withKidBad(JWK key) {
    return withKid(key, "bad");
  }

  static Map<String, Object> withKid(Object key, String kid) {
    Map<String, Object> m = new java.util.HashMap<>(key instanceof JWK j ? j.toJSONObject() : castMap(key));
    m.put("kid", kid);
    return m;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  static String b64u(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  static byte[] fixed(BigInteger v, int length) {
    byte[] b = unsigned(v);
    byte[] out = new byte[length];
    System.arraycopy(b, Math.max(0, b.length - length), out, Math.max(0, length - b.length), Math.min(length, b.length));
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] fromHex(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }

  /** A plain-HTTP server the attacker controls, serving a JWKS and a certificate, counting every request. */
  static final class AttackerServer implements AutoCloseable {
    private final AtomicInteger requests = new AtomicInteger();
    private final HttpServer server;

    AttackerServer() {
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      server.createContext("/", ex -> {
        requests.incrementAndGet();
        byte[] body = ex.getRequestURI().getPath().endsWith("jwks.json")
            ? new JWKSet(ATTACKER_RSA.toPublicJWK()).toString().getBytes(UTF_8)
            : ATTACKER_CERT.certificatePem().getBytes(UTF_8);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(body);
        }
      });
      server.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int requests() {
      return requests.get();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
