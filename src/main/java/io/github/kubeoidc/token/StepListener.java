package io.github.kubeoidc.token;

/**
 * Observes each pipeline step; {@code serve} passes {@link #NONE}, {@code check} prints every call.
 * {@code detail} never contains the token or a signature.
 */
@FunctionalInterface
public interface StepListener {
  /** Hears nothing; the pipeline then skips building the text of the steps that pass. */
  StepListener NONE = new StepListener() {
    @Override
    public void step(String step, boolean passed, String detail) {}

    @Override
    public boolean explaining() {
      return false;
    }
  };

  void step(String step, boolean passed, String detail);

  /**
   * Whether anyone reads the steps that pass. The pipeline builds a passing step's text only then, so
   * {@code serve}'s hot path formats nothing it would throw away (failures are formatted always: their text is
   * the rejection's detail).
   */
  default boolean explaining() {
    return true;
  }
}
