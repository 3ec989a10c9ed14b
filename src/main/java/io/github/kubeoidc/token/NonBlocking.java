package io.github.kubeoidc.token;

import java.util.function.Supplier;

/**
 * Marks a call made on a thread that must not block, such as an HTTP server's I/O thread. The pipeline is CPU work
 * except for two steps that wait on the network: refetching an issuer's keys for an unknown {@code kid}, and
 * fetching a distributed claim. Under the mark those steps throw {@link WouldBlock} instead of waiting, and the
 * caller runs the whole call again on a thread that may block. Nothing before them has side effects, so the rerun
 * answers exactly as an unmarked call would.
 *
 * <p>A stricter mark, {@link #callCheap}, also refuses the signature check: only answers that cost less than
 * handing the call to another thread (a cached answer, a token refused on its shape) are given under it. HTTP/2
 * reviews use it, so that a multiplexed connection's cache hits are answered at once while its verifications
 * spread over the worker pool.
 */
public final class NonBlocking {
  private static final int NONE = 0;
  private static final int NO_BLOCKING = 1;
  private static final int CHEAP_ONLY = 2;

  /** The mark, in a per-thread holder: flipping it is cheaper than setting and removing a ThreadLocal. */
  private static final ThreadLocal<int[]> MARKED = ThreadLocal.withInitial(() -> new int[1]);

  private NonBlocking() {
    throw new AssertionError();
  }

  /** Runs {@code work} under the mark; throws {@link WouldBlock} when it reached a step that would wait. */
  public static <T> T call(Supplier<T> work) {
    return under(NO_BLOCKING, work);
  }

  /** Runs {@code work} under the stricter mark; throws {@link WouldBlock} when it reached a wait or a signature check. */
  public static <T> T callCheap(Supplier<T> work) {
    return under(CHEAP_ONLY, work);
  }

  private static <T> T under(int level, Supplier<T> work) {
    int[] mark = MARKED.get();
    int before = mark[0];
    if (before >= level) {
      return work.get();
    }
    mark[0] = level;
    try {
      return work.get();
    } finally {
      mark[0] = before;
    }
  }

  /** Called by a step about to wait: refuses under either mark. */
  public static void mayBlock() {
    if (MARKED.get()[0] != NONE) {
      throw WouldBlock.INSTANCE;
    }
  }

  /** Called before a signature check: refuses under {@link #callCheap}'s mark. */
  public static void mayVerify() {
    if (MARKED.get()[0] == CHEAP_ONLY) {
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
