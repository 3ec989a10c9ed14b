package io.github.kubeoidc.keys;

import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Keys given up front, never refetched: tests, and out-of-band key distribution. */
public final class StaticKeySource implements KeySource {
  private final String issuer;
  private final KeySet keys;

  public StaticKeySource(String issuer, List<JWK> keys) {
    this.issuer = issuer;
    this.keys = new KeySet(JwksParser.usable(keys, w -> {}), Instant.EPOCH);
  }

  @Override
  public Optional<KeySet> current() {
    return keys.keys().isEmpty() ? Optional.empty() : Optional.of(keys);
  }

  @Override
  public Optional<KeySet> refreshOnUnknownKid(String kid) {
    return current();
  }

  @Override
  public KeyStatus status() {
    return new KeyStatus(issuer, keys.keys().size(), keys.fetchedAt(), null, 0);
  }
}
