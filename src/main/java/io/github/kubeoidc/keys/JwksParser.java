package io.github.kubeoidc.keys;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.math.BigInteger;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns a JWKS document into usable verification keys, one key at a time: a key that is malformed, of
 * another type, meant for encryption, or too weak is skipped with a warning, and the rest stay usable.
 */
public final class JwksParser {
  /** RSA moduli below this are refused (NIST SP 800-131A; Dex uses 2048). */
  public static final int MIN_RSA_BITS = 2048;

  private static final Set<Curve> CURVES = Set.of(Curve.P_256, Curve.P_384, Curve.P_521);

  private JwksParser() {
    throw new AssertionError();
  }

  /** Parses a JWKS JSON document ({@code {"keys":[...]}}). Throws only when the document itself is unusable. */
  public static List<JWK> parse(String json, Consumer<String> warn) throws ParseException {
    Map<String, Object> doc = JSONObjectUtils.parse(json);
    List<Object> raw = JSONObjectUtils.getJSONArray(doc, "keys");
    if (raw == null) {
      throw new ParseException("JWKS has no \"keys\" array", 0);
    }
    List<JWK> keys = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      Object o = raw.get(i);
      if (!(o instanceof Map<?, ?>)) {
        warn.accept("key " + i + " skipped: not a JSON object");
        continue;
      }
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) o;
        keys.add(JWK.parse(m));
      } catch (ParseException | RuntimeException e) {
        warn.accept("key " + i + " skipped: " + e.getMessage());
      }
    }
    return usable(keys, warn);
  }

  /** The public, signature-capable, strong-enough keys among these. */
  public static List<JWK> usable(List<JWK> keys, Consumer<String> warn) {
    List<JWK> out = new ArrayList<>();
    for (JWK k : keys) {
      String name = k.getKeyID() == null ? "(no kid)" : "kid " + k.getKeyID();
      if (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse())) {
        warn.accept(name + " skipped: use is not \"sig\"");
      } else if (k instanceof RSAKey rsa) {
        BigInteger e = rsa.getPublicExponent().decodeToBigInteger();
        if (rsa.size() < MIN_RSA_BITS) {
          warn.accept(name + " skipped: RSA key of " + rsa.size() + " bits, at least " + MIN_RSA_BITS + " required");
        } else if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0)) {
          warn.accept(name + " skipped: unsafe RSA public exponent");
        } else {
          out.add(rsa.toPublicJWK());
        }
      } else if (k instanceof ECKey ec) {
        if (!CURVES.contains(ec.getCurve())) {
          warn.accept(name + " skipped: unsupported curve " + ec.getCurve());
        } else {
          out.add(ec.toPublicJWK());
        }
      } else {
        warn.accept(name + " skipped: key type " + k.getKeyType() + " cannot verify RS/PS/ES signatures");
      }
    }
    return out;
  }
}
