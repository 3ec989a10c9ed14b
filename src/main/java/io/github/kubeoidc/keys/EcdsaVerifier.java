package io.github.kubeoidc.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Set;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/**
 * ES256/384/512 verification, on the implementation {@link Signatures} chose for the curve: BouncyCastle's
 * lightweight API on its curve-specific field arithmetic ({@code CustomNamedCurves}, the public point decoded
 * once so BouncyCastle keeps its precomputation on it), or, for P-256 when a native provider is given,
 * Conscrypt's (BoringSSL), with each thread's {@link Signature} prepared once. Both are many times the JDK 17
 * provider's rate (README, Performance). Semantics follow nimbus' {@code ECDSAVerifier}: the algorithm must
 * match the key's curve, the signature must be the fixed-length R||S form of RFC 7518 §3.4, r and s must lie
 * in [1, n-1] (checked here, before either implementation sees them), and any {@code crit} header is refused
 * (none is understood). The public point is checked to be on the curve when the key is loaded.
 */
final class EcdsaVerifier implements JWSVerifier {
  private final JWSAlgorithm alg;
  private final String digest;
  private final int half;
  private final ECPublicKeyParameters key;
  /** Conscrypt's verifier per thread (DER signatures), or null for BouncyCastle's. */
  private final ThreadLocal<Signature> nativeVerifiers;
  private final JCAContext jca = new JCAContext();
  /** A thread's digest, looked up once: getInstance is a provider search. */
  private final ThreadLocal<MessageDigest> digests;

  private EcdsaVerifier(JWSAlgorithm alg, String digest, int half, ECPublicKeyParameters key,
      ThreadLocal<Signature> nativeVerifiers) {
    this.alg = alg;
    this.digest = digest;
    this.half = half;
    this.key = key;
    this.nativeVerifiers = nativeVerifiers;
    this.digests = ThreadLocal.withInitial(() -> {
      try {
        return MessageDigest.getInstance(digest);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(digest + " unavailable", e);
      }
    });
  }

  /**
   * The verifier for this key, or an exception when its curve is not one of P-256, P-384, P-521 or its point is
   * invalid. {@code p256Provider}: the native provider for P-256 keys, or null for BouncyCastle's.
   */
  static EcdsaVerifier of(ECKey k, Provider p256Provider) throws JOSEException {
    Curve c = k.getCurve();
    String name;
    JWSAlgorithm alg;
    String digest;
    int half;
    if (Curve.P_256.equals(c)) {
      name = "secp256r1";
      alg = JWSAlgorithm.ES256;
      digest = "SHA-256";
      half = 32;
    } else if (Curve.P_384.equals(c)) {
      name = "secp384r1";
      alg = JWSAlgorithm.ES384;
      digest = "SHA-384";
      half = 48;
    } else if (Curve.P_521.equals(c)) {
      name = "secp521r1";
      alg = JWSAlgorithm.ES512;
      digest = "SHA-512";
      half = 66;
    } else {
      throw new JOSEException("unsupported curve " + c);
    }
    X9ECParameters x9 = CustomNamedCurves.getByName(name);
    ECDomainParameters domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
    ECPoint q;
    try {
      q = x9.getCurve().validatePoint(k.getX().decodeToBigInteger(), k.getY().decodeToBigInteger());
    } catch (IllegalArgumentException e) {
      // An invalid-curve point would let an attacker learn about... nothing here (we only verify), but it is
      // never a real issuer key: refuse it.
      throw new JOSEException("EC point is not on " + c);
    }
    ThreadLocal<Signature> nativeVerifiers = null;
    if (p256Provider != null && alg.equals(JWSAlgorithm.ES256)) {
      ECPublicKey pub = k.toECPublicKey();
      nativeVerifiers = ThreadLocal.withInitial(() -> {
        try {
          Signature v = Signature.getInstance("SHA256withECDSA", p256Provider);
          v.initVerify(pub);
          return v;
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("the native provider cannot verify ES256 with this key", e);
        }
      });
      try {
        nativeVerifiers.get(); // fails now, at key load, rather than on a token
      } catch (IllegalStateException e) {
        throw new JOSEException(e.getMessage() + ": " + e.getCause(), e);
      }
    }
    return new EcdsaVerifier(alg, digest, half, new ECPublicKeyParameters(q, domain), nativeVerifiers);
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
    if (!alg.equals(header.getAlgorithm())) {
      throw new JOSEException("algorithm " + header.getAlgorithm() + " does not match the key's " + alg);
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      return false; // RFC 7515 §4.1.11: unknown critical parameters make the JWS invalid
    }
    byte[] sig;
    try {
      sig = java.util.Base64.getUrlDecoder().decode(signature.toString()); // the JDK's decoder: nimbus' is slower
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (sig.length != 2 * half) {
      return false; // DER or truncated signatures are not the JWS form
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, half));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, half, sig.length));
    if (nativeVerifiers != null) {
      BigInteger n = key.getParameters().getN();
      if (r.signum() <= 0 || r.compareTo(n) >= 0 || s.signum() <= 0 || s.compareTo(n) >= 0) {
        return false;
      }
      Signature v = nativeVerifiers.get();
      try {
        v.update(signingInput);
        return v.verify(der(r, s));
      } catch (SignatureException | RuntimeException e) {
        nativeVerifiers.remove(); // its state is unknown now
        return false;
      }
    }
    byte[] hash = digests.get().digest(signingInput); // digest() resets it for the next token
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, key);
    return verifier.verifySignature(hash, r, s); // false unless 1 <= r, s < n and the equation holds
  }

  /** Whether Conscrypt verifies for this key (else BouncyCastle). */
  boolean usesNativeProvider() {
    return nativeVerifiers != null;
  }

  /**
   * ECDSA-Sig-Value (RFC 3279 §2.2.3), DER: SEQUENCE { INTEGER r, INTEGER s }, both positive and below the P-256
   * order (the only curve handed to the native provider), so every length fits DER's short form (at most 70).
   */
  static byte[] der(BigInteger r, BigInteger s) {
    byte[] rb = r.toByteArray(); // minimal two's complement: a leading zero only when the top bit is set
    byte[] sb = s.toByteArray();
    int content = 2 + rb.length + 2 + sb.length;
    byte[] out = new byte[2 + content];
    int i = 0;
    out[i++] = 0x30;
    out[i++] = (byte) content;
    out[i++] = 0x02;
    out[i++] = (byte) rb.length;
    System.arraycopy(rb, 0, out, i, rb.length);
    i += rb.length;
    out[i++] = 0x02;
    out[i++] = (byte) sb.length;
    System.arraycopy(sb, 0, out, i, sb.length);
    return out;
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(alg);
  }

  @Override
  public JCAContext getJCAContext() {
    return jca;
  }
}
