package io.github.kubeoidc.cli;

/** Exit statuses a script can trust (see interface.md). */
public final class Exit {
  /** Success; for {@code check}, the token was authenticated. */
  public static final int OK = 0;
  /** {@code check} only: the token was rejected. */
  public static final int REJECTED = 1;
  /** Usage or configuration error, or any failure to start. */
  public static final int CONFIG = 2;

  private Exit() {
    throw new AssertionError();
  }
}
