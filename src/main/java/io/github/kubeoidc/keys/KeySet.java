package io.github.kubeoidc.keys;

import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import java.util.List;

/** One issuer's usable public keys (private parts, unusable and weak keys already dropped). */
public record KeySet(List<JWK> keys, Instant fetchedAt) {
  public KeySet {
    keys = List.copyOf(keys);
  }

  /** The keys with this {@code kid}. */
  public List<JWK> withKid(String kid) {
    return keys.stream().filter(k -> kid.equals(k.getKeyID())).toList();
  }
}
