package io.github.kubeoidc.keys;

import java.util.Optional;

/**
 * The verification keys of one issuer. Implementations must be thread-safe. Two exist: {@link
 * RemoteKeySource} (discovery + JWKS over TLS, refreshed while running) and {@link StaticKeySource}
 * (keys given in advance, for tests and the demo).
 */
public interface KeySource {

  /** The current keys, or empty while none have been loaded yet. */
  Optional<KeySet> current();

  /**
   * Called when a token names a {@code kid} missing from {@link #current()}: the issuer may have rotated
   * its keys. May refetch (shared by concurrent callers, rate-limited); returns the keys after that.
   */
  Optional<KeySet> refreshOnUnknownKid(String kid);

  /** For {@code /readyz}, metrics and logs. */
  KeyStatus status();
}
