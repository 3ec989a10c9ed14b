package io.github.kubeoidc.app;

import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.token.IssuerRouter;
import java.time.Clock;
import java.time.Duration;

/**
 * How the verifier parts run, beyond the configuration file.
 *
 * @param cacheTtl {@code --cache-ttl}; zero: no answer cache
 * @param systemGuard the {@code system:} identity guard; off only with {@code --insecure-allow-system-identities}
 * @param maxTokenBytes tokens larger than this are refused unread ({@code --max-token-bytes})
 */
public record RuntimeOptions(
    Clock clock, RemoteKeySource.Settings keys, Duration cacheTtl, boolean systemGuard, int maxTokenBytes) {

  /** What {@code serve} runs with when no flag says otherwise. */
  public static RuntimeOptions defaults() {
    return new RuntimeOptions(Clock.systemUTC(), RemoteKeySource.DEFAULTS, Duration.ofMinutes(2), true,
        IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
  }

  /** No answer cache; for {@code check} and tests. */
  public static RuntimeOptions uncached(Clock clock, RemoteKeySource.Settings keys) {
    return new RuntimeOptions(clock, keys, Duration.ZERO, true, IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
  }
}
