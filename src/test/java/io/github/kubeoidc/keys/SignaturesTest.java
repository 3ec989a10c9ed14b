package io.github.kubeoidc.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.github.kubeoidc.keys.Signatures.Engine;
import org.junit.jupiter.api.Test;

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
}
