package io.github.kubeoidc.token;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.Base64;
import java.util.function.UnaryOperator;

/** Test keys and hand-made tokens: what an honest issuer signs and what an attacker sends. */
final class Tokens {
  private Tokens() {
    throw new AssertionError();
  }

  static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ec(Curve curve, String kid) {
    try {
      return new ECKeyGenerator(curve).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same key material without a {@code kid}: tokens it signs carry no {@code kid} header. */
  static JWK withoutKid(JWK key) {
    return key instanceof RSAKey r ? new RSAKey.Builder(r).keyID(null).build() : new ECKey.Builder((ECKey) key).keyID(null).build();
  }

  /** The same key material under another {@code kid}. */
  static JWK withKid(JWK key, String kid) {
    return key instanceof RSAKey r ? new RSAKey.Builder(r).keyID(kid).build() : new ECKey.Builder((ECKey) key).keyID(kid).build();
  }

  /** The public key with a JWK {@code alg} member. */
  static JWK declaringAlg(JWK key, JWSAlgorithm alg) {
    return key instanceof RSAKey r
        ? new RSAKey.Builder(r.toPublicJWK()).algorithm(alg).build()
        : new ECKey.Builder(((ECKey) key).toPublicJWK()).algorithm(alg).build();
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(UTF_8));
  }

  /** {@code header.payload.signature} from raw JSON, unsigned: for alg none and structural attacks. */
  static String compact(String headerJson, String payloadJson, String signature) {
    return b64(headerJson) + "." + b64(payloadJson) + "." + signature;
  }

  /** Signs with a caller-built header (for example one with {@code crit}). */
  static String signWithHeader(JWSHeader header, JWK key, String payloadJson) {
    try {
      JWSObject jws = new JWSObject(header, new Payload(payloadJson));
      jws.sign(key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key));
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The classic key-confusion attack: HS256 keyed with the issuer's public RSA key as published (PEM), so
   * that a verifier that picks the algorithm from the header would accept it.
   */
  static String hs256WithPublicKey(RSAKey key, String payloadJson) {
    try {
      String pem = "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(key.toRSAPublicKey().getEncoded())
          + "\n-----END PUBLIC KEY-----\n";
      JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(), new Payload(payloadJson));
      jws.sign(new MACSigner(pem.getBytes(UTF_8)));
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keeps the header and signature of a signed token and swaps in another payload. */
  static UnaryOperator<String> swapPayload(String payloadJson) {
    return t -> {
      String[] p = t.split("\\.", -1);
      return p[0] + "." + b64(payloadJson) + "." + p[2];
    };
  }

  /** Replaces the signed token altogether with a hand-made one. */
  static UnaryOperator<String> replaceWith(String token) {
    return t -> token;
  }

  /** The third compact part (the signature), or "" when the token has fewer parts. */
  static String signaturePart(String token) {
    String[] p = token.split("\\.", -1);
    return p.length >= 3 ? p[2] : "";
  }
}
