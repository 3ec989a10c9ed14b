package io.github.kubeoidc.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The prepared-per-thread RSA verifier, on each engine's provider, answers exactly as nimbus' own (on the JDK's),
 * token after token, on any thread.
 */
class RsaVerifierTest {
  static final RSAKey KEY = generate();

  static RSAKey generate() {
    try {
      return new RSAKeyGenerator(2048).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  record Signed(JWSHeader header, byte[] input, Base64URL signature) {}

  static Signed sign(JWSAlgorithm alg, String payload) throws Exception {
    JWSObject o = new JWSObject(new JWSHeader(alg), new Payload(payload));
    o.sign(new RSASSASigner(KEY));
    return new Signed(o.getHeader(), o.getSigningInput(), o.getSignature());
  }

  /** Every case twice in a row on one verifier: a failure must not spoil the prepared Signature for the next. */
  static RsaVerifier ours(Signatures.Engine engine) throws Exception {
    return new RsaVerifier(KEY.toRSAPublicKey(), Signatures.nativeProvider(engine));
  }

  @ParameterizedTest
  @EnumSource(Signatures.Engine.class)
  void answersAsNimbusTokenAfterToken(Signatures.Engine engine) throws Exception {
    RsaVerifier ours = ours(engine);
    RSASSAVerifier nimbus = new RSASSAVerifier(KEY.toRSAPublicKey());
    List<Signed> cases = new ArrayList<>();
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512)) {
      Signed good = sign(alg, "{\"n\":1}");
      cases.add(good);
      cases.add(new Signed(good.header(), "tampered".getBytes(StandardCharsets.US_ASCII), good.signature()));
      String sig = good.signature().toString();
      cases.add(new Signed(good.header(), good.input(), new Base64URL(sig.substring(0, sig.length() - 4)))); // short
      cases.add(new Signed(good.header(), good.input(), new Base64URL(sig + "AAAA"))); // long
      cases.add(new Signed(good.header(), good.input(), new Base64URL(""))); // empty
      cases.add(new Signed(good.header(), good.input(), new Base64URL("*not base64*")));
      cases.add(good);
    }
    int verified = 0;
    for (int round = 0; round < 2; round++) {
      for (Signed c : cases) {
        boolean want;
        try {
          want = nimbus.verify(c.header(), c.input(), c.signature());
        } catch (Exception e) {
          want = false;
        }
        assertEquals(want, ours.verify(c.header(), c.input(), c.signature()), c.header().getAlgorithm().getName());
        verified += want ? 1 : 0;
      }
    }
    assertEquals(2 * 6 * 2, verified, "the good tokens verify, before and after the bad ones");
  }

  @ParameterizedTest
  @EnumSource(Signatures.Engine.class)
  void criticalHeaderFails(Signatures.Engine engine) throws Exception {
    Signed good = sign(JWSAlgorithm.RS256, "{}");
    JWSHeader crit = new JWSHeader.Builder(JWSAlgorithm.RS256).criticalParams(java.util.Set.of("exp")).build();
    RsaVerifier ours = ours(engine);
    assertTrue(ours.verify(good.header(), good.input(), good.signature()));
    assertFalse(ours.verify(crit, good.input(), good.signature()));
  }

  @ParameterizedTest
  @EnumSource(Signatures.Engine.class)
  void oneVerifierServesManyThreadsAtOnce(Signatures.Engine engine) throws Exception {
    RsaVerifier ours = ours(engine);
    Signed good = sign(JWSAlgorithm.RS256, "{\"a\":true}");
    Signed other = sign(JWSAlgorithm.PS256, "{\"b\":true}");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int k = i;
        results.add(pool.submit(() -> {
          Signed s = k % 2 == 0 ? good : other;
          boolean ok = ours.verify(s.header(), s.input(), s.signature());
          boolean tampered = ours.verify(s.header(), "x".getBytes(StandardCharsets.US_ASCII), s.signature());
          return ok && !tampered;
        }));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get());
      }
    } finally {
      pool.shutdown();
    }
  }
}
