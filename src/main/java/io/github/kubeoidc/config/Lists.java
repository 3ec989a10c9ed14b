package io.github.kubeoidc.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Null-tolerant defensive copies for records decoded from YAML, where {@code - } is a null element. */
final class Lists {
  private Lists() {
    throw new AssertionError();
  }

  /** An unmodifiable copy; a missing list is empty. Null elements are kept so validation can name them. */
  static <T> List<T> copy(List<T> in) {
    return in == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(in));
  }
}
