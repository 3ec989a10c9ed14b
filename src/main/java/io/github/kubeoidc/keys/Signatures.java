package io.github.kubeoidc.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.Provider;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the signature implementations are chosen. Picked by measurement on one core (README,
 * Performance): BoringSSL, through Conscrypt's JCA provider, verifies RSA-2048 in about 21 µs where the JDK takes
 * about 35 µs, and P-256 in about 55 µs where BouncyCastle's lightweight ECDSA takes about 82 µs (and the JDK 17
 * provider about 1 ms); for P-384 and P-521 BouncyCastle is twice as fast as BoringSSL's generic curve code.
 *
 * <ul>
 *   <li>{@link Engine#CONSCRYPT}: RS256/384/512 and ES256 on Conscrypt; PS256/384/512 on the JDK; ES384 and ES512
 *       on BouncyCastle.
 *   <li>{@link Engine#JAVA}: no native code: RS* and PS* on the JDK's provider, every ES* on BouncyCastle.
 * </ul>
 *
 * <p>{@code serve --signature-provider auto|conscrypt|java} sets it once at start; {@code auto} (the default, and
 * what everything else gets) is Conscrypt when its native library loads on this machine (it ships for Linux
 * x86_64 with glibc), else Java. Both engines give the same answer for every token: the tests run the same
 * tables and Wycheproof vectors through each.
 */
public final class Signatures {
  /** Which implementations verify signatures. */
  public enum Engine {
    CONSCRYPT, JAVA
  }

  private static final Logger LOG = LoggerFactory.getLogger(Signatures.class);

  private static volatile Engine chosen; // null: auto, resolved on first use

  private Signatures() {
    throw new AssertionError();
  }

  /**
   * The engine for a {@code --signature-provider} value; {@code auto} resolves here (loading Conscrypt's native
   * library to find out).
   *
   * @throws IllegalArgumentException for an unknown value, or {@code conscrypt} where its library does not load
   */
  public static Engine parse(String setting) {
    switch (setting) {
      case "auto":
        return conscryptProblem().isPresent() ? Engine.JAVA : Engine.CONSCRYPT;
      case "conscrypt":
        conscryptProblem().ifPresent(p -> {
          throw new IllegalArgumentException("--signature-provider conscrypt: Conscrypt's native library does not"
              + " load on this machine (" + p + "); use auto or java");
        });
        return Engine.CONSCRYPT;
      case "java":
        return Engine.JAVA;
      default:
        throw new IllegalArgumentException("--signature-provider: unknown value \"" + setting
            + "\"; one of auto, conscrypt, java");
    }
  }

  /** Sets the engine of every verifier built from now on ({@code serve}, at start); null: auto. */
  public static void use(Engine engine) {
    chosen = engine;
    if (engine != null) {
      LOG.info("signatures: {}", describe(engine));
    }
  }

  /**
   * The engine verifiers are built with: the one {@link #use}d, else the system property
   * {@value #PROPERTY} (same values as the flag; for benchmarks and the test run that repeats the verifier tables
   * on the Java engine), else auto.
   */
  public static Engine engine() {
    Engine e = chosen;
    if (e == null) {
      synchronized (Signatures.class) {
        e = chosen;
        if (e == null) {
          e = parse(System.getProperty(PROPERTY, "auto"));
          chosen = e;
          LOG.info("signatures: {}{}", describe(e), conscryptProblem().map(p -> "; Conscrypt's native library does"
              + " not load here: " + p).orElse(""));
        }
      }
    }
    return e;
  }

  /** The default's system property. */
  public static final String PROPERTY = "kubeoidc.signature-provider";

  /** What verifies which algorithm under an engine, for the start-up log. */
  public static String describe(Engine engine) {
    return engine == Engine.CONSCRYPT
        ? "conscrypt (BoringSSL: RS256/384/512, ES256; JDK: PS256/384/512; BouncyCastle: ES384, ES512)"
        : "java (JDK: RS*, PS*; BouncyCastle: ES*)";
  }

  /** Why Conscrypt cannot be used here, or empty when it can. Loads its native library on the first call. */
  public static Optional<String> conscryptProblem() {
    return Optional.ofNullable(Native.PROBLEM);
  }

  /** The verifier for one RSA or EC key under the current {@link #engine()}. */
  public static JWSVerifier verifierFor(JWK key) throws JOSEException {
    return verifierFor(key, engine());
  }

  /** The verifier for one RSA or EC key under {@code engine}. */
  public static JWSVerifier verifierFor(JWK key, Engine engine) throws JOSEException {
    if (key instanceof RSAKey rsa) {
      return new RsaVerifier(rsa.toRSAPublicKey(), nativeProvider(engine));
    }
    if (key instanceof ECKey ec) {
      return EcdsaVerifier.of(ec, nativeProvider(engine));
    }
    throw new JOSEException("no verifier for key type " + key.getKeyType());
  }

  /** The native provider an engine uses where it is the faster one, or null for the Java engine. */
  static Provider nativeProvider(Engine engine) {
    return engine == Engine.CONSCRYPT ? conscrypt() : null;
  }

  private static Provider conscrypt() {
    if (Native.PROVIDER == null) {
      throw new IllegalStateException("Conscrypt is not available here: " + Native.PROBLEM);
    }
    return Native.PROVIDER;
  }

  /** Conscrypt, loaded once, on first use: its native library is unpacked and mapped only when asked for. */
  private static final class Native {
    static final Provider PROVIDER;
    static final String PROBLEM;

    static {
      Provider p = null;
      String problem = null;
      try {
        org.conscrypt.Conscrypt.checkAvailability();
        p = org.conscrypt.Conscrypt.newProvider(); // not installed process-wide: TLS stays on the JDK's provider
      } catch (Throwable t) { // UnsatisfiedLinkError (no library for this platform, noexec /tmp), or a class missing
        problem = t.toString().lines().findFirst().orElse(""); // the loader lists every path it tried
      }
      PROVIDER = p;
      PROBLEM = problem;
    }
  }
}
