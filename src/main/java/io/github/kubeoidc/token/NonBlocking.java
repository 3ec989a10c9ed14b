package io.github.kubeoidc.token;

import java.util.function.Supplier;

/**
 * Marks a call made on a thread that must not block, such as an HTTP server's I/O thread. The pipeline is CPU work
 * except for two steps that wait on the network: refetching an issuer's keys for an unknown {@code kid}, and
 * fetching a distributed claim. Under the mark those steps throw {@link WouldBlock} instead of waiting, and the
 * caller runs the whole call again on a thread that may block. Nothing before them has side effects, so the rerun
 * answers exactly as an unmarked call would.
 */
public final class NonBlocking {
  /** The mark, in a per-thread holder: flipping it is cheaper than setting and removing a ThreadLocal. */
  private static final ThreadLocal<boolean[]> MARKED = ThreadLocal.withInitial(() -> new boolean[1]);

  private NonBlocking() {
    throw new AssertionError();
  }

  /** Runs {@code work} under the mark; throws {@link WouldBlock} when it reached a step that would wait. */
  public static <T> T call(Supplier<T> work) {
    boolean[] mark = MARKED.get();
    if (mark[0]) {
      return work.get();
    }
    mark[0] = true;
    try {
      return work.get();
    } finally {
      mark[0] = false;
    }
  }

  /** Called by a step about to wait: refuses under the mark. */
  public static void mayBlock() {
    if (MARKED.get()[0]) {
      throw WouldBlock.INSTANCE;
    }
  }

  /** The call needs a thread that may block; run it again on one. */
  public static final class WouldBlock extends RuntimeException {
    private static final WouldBlock INSTANCE = new WouldBlock();

    private WouldBlock() {
      super("this step waits on the network; run the call on a thread that may block", null, false, false);
    }
  }
}
