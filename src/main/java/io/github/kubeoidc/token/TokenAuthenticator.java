package io.github.kubeoidc.token;

/** Authenticates one bearer token. Implementations are thread-safe and never throw for a bad token. */
public interface TokenAuthenticator {
  AuthResult authenticate(String token, StepListener listener);

  default AuthResult authenticate(String token) {
    return authenticate(token, StepListener.NONE);
  }
}
