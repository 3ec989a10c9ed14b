package io.github.kubeoidc.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.testing.Http;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, "Never leak": everything the webhook logs while it serves a run of good tokens, bad tokens and
 * hostile bodies is captured (slf4j-simple writes to {@code System.err}, read at each write) and must hold
 * no token, no signature, no secret claim and no private key.
 */
class NoSecretsInLogsTest {
  static final String AUD = "kubernetes";
  static final String V1 = "authentication.k8s.io/v1";
  static final String V1BETA1 = "authentication.k8s.io/v1beta1";
  /** Put in a claim that is no part of the user: it must never be logged. */
  static final String MARKER = "s3cr3t-claim-marker-7f3a";

  @TempDir Path dir;

  @Test
  void fullRunOfTrafficLogsNoTokenSignatureOrPrivateKey() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    PrintStream out = System.out;
    List<String> sent = new ArrayList<>();
    List<String> secrets = new ArrayList<>();
    PrintStream tee = new PrintStream(captured, true, UTF_8);
    System.setErr(tee);
    System.setOut(tee);
    try (DevIssuer issuer = DevIssuer.start()) {
      DevCa servingCa = new DevCa("log test CA");
      Configs.ServingTls serving = Configs.servingTls(dir, servingCa, "kube-oidc-webhook");
      Path cfg = Configs.write(dir, "authn.yaml", Configs.file(Configs.jwt(issuer, AUD)));
      secrets.addAll(pemBodyLines(serving.issued().privateKeyPem()));
      secrets.add(((RSAKey) issuer.signingKey()).getPrivateExponent().toString());
      secrets.add(MARKER);

      try (Webhook webhook = Webhook.start(ConfigLoader.load(cfg), new ServerOptions("127.0.0.1", 0, serving.cert(), serving.key(), null, 0),
          Clock.systemUTC(), RemoteKeySource.DEFAULTS)) {
        URI http = webhook.urls().stream().filter(u -> u.getScheme().equals("http")).findFirst().orElseThrow();
        URI https = webhook.urls().stream().filter(u -> u.getScheme().equals("https")).findFirst().orElseThrow();
        Http plain = Http.plain();
        Http tls = Http.tls(servingCa, null);
        Await.until("/readyz 200", Duration.ofSeconds(20), () -> {
          try {
            return plain.get(http.resolve("/readyz")).status() == 200;
          } catch (Exception e) {
            return false;
          }
        });

        List<String> tokens = tokens(issuer);
        for (String t : tokens) {
          sent.add(t);
          plain.review(http, V1, t);
          tls.review(https, V1BETA1, t);
        }
        String good = tokens.get(0);
        for (String body : hostileBodies(good)) {
          plain.post(http.resolve("/authenticate"), "application/json", body);
        }
        // A body over the size limit, carrying a token.
        plain.post(http.resolve("/authenticate"), "application/json",
            "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + good + "\",\"pad\":\"" + "x".repeat(2 << 20) + "\"}}");
        assertTrue(plain.review(http, V1, good).json().at("/status/authenticated").asBoolean(), "the run ends healthy");
      }
    } finally {
      System.setErr(err);
      System.setOut(out);
    }

    String log = captured.toString(UTF_8);
    assertTrue(log.contains("authenticated request_id="), "the capture holds the decision lines:\n" + log);
    assertTrue(log.contains("reason=INVALID_SIGNATURE"), log);
    assertTrue(log.contains("bad request request_id="), log);
    for (String t : sent) {
      assertFalse(t.length() > 8 && log.contains(t), () -> "a token was logged: " + abbreviate(t));
      String[] parts = t.split("\\.", -1);
      if (parts.length == 3 && parts[2].length() >= 16) {
        assertFalse(log.contains(parts[2]), () -> "a signature was logged: " + abbreviate(parts[2]));
        assertFalse(log.contains(parts[2].substring(0, 16)), () -> "part of a signature was logged: " + abbreviate(parts[2]));
      }
      if (parts.length == 3 && parts[1].length() >= 16) {
        assertFalse(log.contains(parts[1]), () -> "a payload segment was logged: " + abbreviate(parts[1]));
      }
    }
    for (String s : secrets) {
      assertFalse(log.contains(s), () -> "a secret was logged: " + abbreviate(s));
    }
    assertFalse(log.contains("PRIVATE KEY"), "no PEM private key in the logs");
    for (String line : log.split("\n")) {
      assertFalse(line.startsWith("X-Forged"), () -> "a token forged a log line: " + line);
    }
  }

  /** Good ones (with a secret claim) and every kind of bad one the suite knows. */
  static List<String> tokens(DevIssuer issuer) throws Exception {
    List<String> t = new ArrayList<>();
    Map<String, Object> c = issuer.claims(AUD, "jane");
    c.put("secret_note", MARKER);
    t.add(issuer.mint(c));
    Map<String, Object> expired = issuer.claims(AUD, "jane");
    expired.put("exp", System.currentTimeMillis() / 1000 - 60);
    expired.put("secret_note", MARKER);
    t.add(issuer.mint(expired));
    Map<String, Object> otherAud = issuer.claims("other", "jane");
    otherAud.put("secret_note", MARKER);
    t.add(issuer.mint(otherAud));
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
    t.add(issuer.mint(stranger, c));
    t.add(DevIssuer.sign(stranger, JWSAlgorithm.RS256, issuer.signingKey().getKeyID(), json(c)));
    String good = t.get(0);
    String[] p = good.split("\\.");
    t.add(b64("{\"alg\":\"none\"}") + "." + p[1] + ".");
    t.add(hs256(((RSAKey) issuer.signingKey()).toRSAPublicKey().getEncoded(), json(c)));
    t.add(p[0] + "." + b64(json(Map.of("iss", issuer.url(), "aud", AUD, "sub", "admin", "exp", 4102444800L))) + "." + p[2]);
    t.add(signed(issuer, "{\"alg\":\"RS256\",\"kid\":\"x\\r\\nX-Forged: yes\"}", json(c)));
    t.add(signed(issuer, "{\"alg\":\"RS256\",\"kid\":\"" + issuer.signingKey().getKeyID() + "\",\"crit\":[\"exp\"]}", json(c)));
    t.add(signed(issuer, "{\"alg\":\"RS256\",\"jku\":\"/\\r\\nX-Forged: yes\"}", json(c)));
    t.add(p[0] + "." + p[1] + "." + p[2] + "AAA");
    t.add("Bearer " + good);
    t.add(good + "\n");
    t.add("opaque-" + MARKER);
    t.add(p[0] + "." + p[1] + "." + p[2] + ".AAAA.BBBB");
    t.add(good.substring(0, good.lastIndexOf('.')) + "." + b64("x".repeat(70 * 1024)));
    return t;
  }

  static List<String> hostileBodies(String token) {
    return List.of(
        "",
        "not json " + token,
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"SubjectAccessReview\",\"spec\":{\"token\":\"" + token + "\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":[\"" + token + "\"]}}",
        "{\"apiVersion\":\"" + V1 + "\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}}",
        "{\"apiVersion\": " + token + "}",
        "[\"" + token + "\"]");
  }

  static String signed(DevIssuer issuer, String headerJson, String payloadJson) throws Exception {
    String input = b64(headerJson) + "." + b64(payloadJson);
    return input + "." + new RSASSASigner((RSAKey) issuer.signingKey()).sign(new JWSHeader(JWSAlgorithm.RS256), input.getBytes(UTF_8));
  }

  static String hs256(byte[] secret, String payloadJson) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payloadJson));
    jws.sign(new MACSigner(secret));
    return jws.serialize();
  }

  static String json(Map<String, Object> m) {
    return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(m);
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(UTF_8));
  }

  static List<String> pemBodyLines(String pem) {
    List<String> lines = new ArrayList<>();
    for (String l : pem.split("\n")) {
      if (!l.startsWith("-----") && l.length() >= 16) {
        lines.add(l);
      }
    }
    assertEquals(false, lines.isEmpty());
    return lines;
  }

  static String abbreviate(String s) {
    return s.length() > 24 ? s.substring(0, 24) + "..." : s;
  }
}
