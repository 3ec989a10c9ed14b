package io.github.kubeoidc.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One issuer's usable public keys (private parts, unusable and weak keys already dropped), each with its
 * signature verifier built once here: converting a JWK to a JCA key is costlier than the RSA verification
 * itself, so it is not done per token.
 */
public record KeySet(List<JWK> keys, Instant fetchedAt, Map<JWK, JWSVerifier> verifiers, Map<String, List<JWK>> byKid) {

  public KeySet(List<JWK> keys, Instant fetchedAt) {
    this(List.copyOf(keys), fetchedAt, verifiersFor(keys));
  }

  public KeySet(List<JWK> keys, Instant fetchedAt, Map<JWK, JWSVerifier> verifiers) {
    this(keys, fetchedAt, verifiers, byKid(keys));
  }

  public KeySet {
    keys = List.copyOf(keys);
    byKid = Map.copyOf(byKid);
  }

  /** The keys with this {@code kid}. */
  public List<JWK> withKid(String kid) {
    return byKid.getOrDefault(kid, List.of());
  }

  private static Map<String, List<JWK>> byKid(List<JWK> keys) {
    Map<String, List<JWK>> m = new java.util.HashMap<>();
    for (JWK k : keys) {
      if (k.getKeyID() != null) {
        m.computeIfAbsent(k.getKeyID(), x -> new java.util.ArrayList<>()).add(k);
      }
    }
    m.replaceAll((kid, list) -> List.copyOf(list));
    return m;
  }

  /** The prebuilt verifier of one of {@link #keys()}, or null when the key cannot verify anything. */
  public JWSVerifier verifier(JWK key) {
    return verifiers.get(key);
  }

  private static Map<JWK, JWSVerifier> verifiersFor(List<JWK> keys) {
    Map<JWK, JWSVerifier> m = new IdentityHashMap<>();
    for (JWK k : keys) {
      try {
        m.put(k, Signatures.verifierFor(k)); // the engine chosen for this process
      } catch (JOSEException e) {
        // a key nimbus cannot use verifies nothing; JwksParser has already dropped the known bad ones
      }
    }
    return Collections.unmodifiableMap(m);
  }
}
