package io.github.kubeoidc.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.crypto.impl.RSASSA;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.InvalidKeyException;
import java.security.Provider;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Set;

/**
 * RS256/384/512 and PS256/384/512 with one key, as nimbus' {@link RSASSAVerifier} does it (same algorithm
 * parameters from {@link RSASSA}), on the provider {@link Signatures} chose for PKCS#1 v1.5 (Conscrypt, or the
 * JDK's when null; PSS always on the JDK's), with each thread's {@link Signature} prepared once:
 * {@code Signature.getInstance} (a provider lookup) and {@code initVerify} (a key check) cost, per token, a tenth
 * of the RSA operation. After {@code verify} a {@code Signature} is back in the state {@code initVerify} left it
 * in, so it is reused; after an exception it is dropped. The signature is decoded with the JDK's base64url
 * decoder (the token's segments are already known to be canonical base64url). Any {@code crit} header fails.
 */
final class RsaVerifier implements JWSVerifier {
  /** RS256, RS384, RS512, PS256, PS384, PS512: one slot each in a thread's array. */
  private static final List<JWSAlgorithm> ALGORITHMS = List.copyOf(RSASSAVerifier.SUPPORTED_ALGORITHMS);

  private static final Set<JWSAlgorithm> PKCS1 = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512);

  private final RSAPublicKey key;
  /** For RS256/384/512; null: the JDK's. */
  private final Provider pkcs1Provider;
  private final JCAContext jca = new JCAContext();
  private final ThreadLocal<Signature[]> prepared = ThreadLocal.withInitial(() -> new Signature[ALGORITHMS.size()]);

  RsaVerifier(RSAPublicKey key, Provider pkcs1Provider) {
    this.key = key;
    this.pkcs1Provider = pkcs1Provider;
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
    if (header.getCriticalParams() != null) {
      return false; // RFC 7515 §4.1.11: no critical extension is understood
    }
    int slot = ALGORITHMS.indexOf(header.getAlgorithm());
    if (slot < 0) {
      throw new JOSEException("unsupported JWS algorithm " + header.getAlgorithm() + " for an RSA key");
    }
    byte[] sig;
    try {
      sig = java.util.Base64.getUrlDecoder().decode(signature.toString());
    } catch (IllegalArgumentException e) {
      return false;
    }
    Signature[] mine = prepared.get();
    Signature s = mine[slot];
    if (s == null) {
      JWSAlgorithm alg = header.getAlgorithm();
      s = RSASSA.getSignerAndVerifier(alg, PKCS1.contains(alg) ? pkcs1Provider : null);
      try {
        s.initVerify(key);
      } catch (InvalidKeyException e) {
        throw new JOSEException("Invalid public RSA key: " + e.getMessage(), e);
      }
      mine[slot] = s;
    }
    try {
      s.update(signingInput);
      return s.verify(sig);
    } catch (SignatureException | RuntimeException e) {
      mine[slot] = null; // its state is unknown now
      return false;
    }
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return RSASSAVerifier.SUPPORTED_ALGORITHMS;
  }

  @Override
  public JCAContext getJCAContext() {
    return jca;
  }
}
