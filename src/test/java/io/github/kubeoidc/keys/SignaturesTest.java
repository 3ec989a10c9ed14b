package io.github.kubeoidc.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import io.github.kubeoidc.keys.Signatures.Engine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine choice: the flag's values and errors, and Conscrypt where it must be (CI's Linux x86_64). */
class SignaturesTest {
  /** Where the shipped native library is built for; the fast engine must not silently go missing there. */
  static boolean conscryptShipsHere() {
    return System.getProperty("os.name").equals("Linux")
        && (System.getProperty("os.arch").equals("amd64") || System.getProperty("os.arch").equals("x86_64"));
  }

  @Test
  void conscryptLoadsOnLinuxX86AndIsNotInstalledProcessWide() {
    if (conscryptShipsHere()) {
      assertEquals(java.util.Optional.empty(), Signatures.conscryptProblem());
      assertEquals(Engine.CONSCRYPT, Signatures.parse("auto"));
      assertEquals(Engine.CONSCRYPT, Signatures.parse("conscrypt"));
      assertEquals("Conscrypt", Signatures.nativeProvider(Engine.CONSCRYPT).getName());
    } else {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signatures.parse("conscrypt"));
      assertTrue(e.getMessage().contains("does not load on this machine"), e.getMessage());
      assertEquals(Engine.JAVA, Signatures.parse("auto"));
    }
    // TLS and everything else keep the JDK's providers
    assertNull(java.security.Security.getProvider("Conscrypt"));
  }

  @Test
  void flagValues() {
    assertEquals(Engine.JAVA, Signatures.parse("java"));
    assertNull(Signatures.nativeProvider(Engine.JAVA));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signatures.parse("openssl"));
    assertEquals("--signature-provider: unknown value \"openssl\"; one of auto, conscrypt, java", e.getMessage());
  }

  /** P-256 goes to the native provider under Conscrypt; P-384 and P-521 stay on BouncyCastle, the faster there. */
  @Test
  void curvesGoWhereTheyAreFastest() throws Exception {
    for (Engine engine : Engine.values()) {
      for (Curve c : new Curve[] {Curve.P_256, Curve.P_384, Curve.P_521}) {
        ECKey k = new ECKeyGenerator(c).generate().toPublicJWK();
        EcdsaVerifier v = assertInstanceOf(EcdsaVerifier.class, Signatures.verifierFor(k, engine));
        assertEquals(engine == Engine.CONSCRYPT && c == Curve.P_256, v.usesNativeProvider(), engine + " " + c);
      }
    }
  }

  /** One ES256 verifier shared by many threads at once answers every good and every tampered token right. */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void es256VerifierServesManyThreadsAtOnce(Engine engine) throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).generate();
    JWSObject o = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{\"a\":1}"));
    o.sign(new ECDSASigner(key));
    com.nimbusds.jose.JWSVerifier v = Signatures.verifierFor(key.toPublicJWK(), engine);
    byte[] input = o.getSigningInput();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        results.add(pool.submit(() -> v.verify(o.getHeader(), input, o.getSignature())
            && !v.verify(o.getHeader(), "x".getBytes(StandardCharsets.US_ASCII), o.getSignature())
            && !v.verify(o.getHeader(), input, new Base64URL("AAAA"))));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get());
      }
    } finally {
      pool.shutdown();
    }
  }
}
