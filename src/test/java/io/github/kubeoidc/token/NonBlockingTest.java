package io.github.kubeoidc.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The two marks: what each refuses, how they nest, and that they are gone afterwards. */
class NonBlockingTest {
  @Test
  void noMarkRefusesNothing() {
    NonBlocking.mayBlock();
    NonBlocking.mayVerify();
  }

  @Test
  void callRefusesWaitsButNotSignatureChecks() {
    assertEquals("ok", NonBlocking.call(() -> {
      NonBlocking.mayVerify();
      return "ok";
    }));
    assertThrows(NonBlocking.WouldBlock.class, () -> NonBlocking.call(() -> {
      NonBlocking.mayBlock();
      return "not reached";
    }));
    NonBlocking.mayBlock(); // the mark is gone, also after the throw
  }

  @Test
  void callCheapRefusesBoth() {
    assertThrows(NonBlocking.WouldBlock.class, () -> NonBlocking.callCheap(() -> {
      NonBlocking.mayVerify();
      return "not reached";
    }));
    assertThrows(NonBlocking.WouldBlock.class, () -> NonBlocking.callCheap(() -> {
      NonBlocking.mayBlock();
      return "not reached";
    }));
    assertEquals("cheap", NonBlocking.callCheap(() -> "cheap"));
    NonBlocking.mayBlock();
    NonBlocking.mayVerify();
  }

  @Test
  void anInnerCallDoesNotLoosenAnOuterCallCheap() {
    assertThrows(NonBlocking.WouldBlock.class, () -> NonBlocking.callCheap(() -> NonBlocking.call(() -> {
      NonBlocking.mayVerify();
      return "not reached";
    })));
    // and an inner callCheap tightens an outer call only for its own extent
    assertEquals("verified", NonBlocking.call(() -> {
      assertThrows(NonBlocking.WouldBlock.class, () -> NonBlocking.callCheap(() -> {
        NonBlocking.mayVerify();
        return "not reached";
      }));
      NonBlocking.mayVerify();
      return "verified";
    }));
  }
}
