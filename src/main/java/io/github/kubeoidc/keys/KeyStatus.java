package io.github.kubeoidc.keys;

import java.time.Instant;

/**
 * What is known of one issuer's keys.
 *
 * @param keyCount usable keys now held (0 until the first successful load)
 * @param lastSuccess the last successful fetch, or null
 * @param lastError the last fetch error (null after a success)
 * @param failures fetch failures since the process started
 */
public record KeyStatus(String issuer, int keyCount, Instant lastSuccess, String lastError, long failures) {
  public boolean ready() {
    return keyCount > 0;
  }
}
