package io.github.kubeoidc.metrics;

import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.StepListener;
import io.github.kubeoidc.token.TokenAuthenticator;
import java.time.Duration;

/** Records every outcome of the wrapped authenticator; keeps metrics out of the verifier core. */
public final class InstrumentedAuthenticator implements TokenAuthenticator {
  private final TokenAuthenticator delegate;
  private final Metrics metrics;

  public InstrumentedAuthenticator(TokenAuthenticator delegate, Metrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
  }

  @Override
  public AuthResult authenticate(String token, StepListener listener) {
    long start = System.nanoTime();
    AuthResult r = delegate.authenticate(token, listener);
    metrics.recordTokenReview(r, Duration.ofNanos(System.nanoTime() - start));
    return r;
  }
}
