package io.github.kubeoidc.token;

/**
 * Observes each pipeline step; {@code serve} passes {@link #NONE}, {@code check} prints every call.
 * {@code detail} never contains the token or a signature.
 */
@FunctionalInterface
public interface StepListener {
  StepListener NONE = (step, passed, detail) -> {};

  void step(String step, boolean passed, String detail);
}
