package io.github.kubeoidc.cel;

import com.google.common.primitives.UnsignedLong;
import dev.cel.runtime.CelEvaluationException;
import java.time.Duration;
import java.util.List;

/**
 * Kubernetes' list library: {@code isSorted}, {@code sum}, {@code min}, {@code max}, {@code indexOf},
 * {@code lastIndexOf}, with cel-go's ordering and equality.
 *
 * <p>Kubernetes declares one overload per element type and cel-go picks it at run time from the first
 * element, so the functions below work from the runtime values: the first element decides the kind,
 * a comparison that cel-go answers with an error value (a NaN, a second element of another kind) is
 * ignored exactly as Kubernetes' loop ignores it, and elements that cannot be ordered at all fail with
 * "no such overload".
 */
final class Lists {

  private Lists() {}

  static boolean isSorted(List<?> list) throws CelEvaluationException {
    Object prev = null;
    boolean first = true;
    for (Object next : list) {
      if (!CelValues.isComparable(next)) {
        throw CelValues.noSuchOverload("isSorted");
      }
      if (!first) {
        Integer c = CelValues.compare(prev, next);
        if (c != null && c == 1) {
          return false;
        }
      }
      prev = next;
      first = false;
    }
    return true;
  }

  static Object min(List<?> list) throws CelEvaluationException {
    return extreme(list, "min", 1);
  }

  static Object max(List<?> list) throws CelEvaluationException {
    return extreme(list, "max", -1);
  }

  /** Keeps the running result unless comparing it with the next element gives {@code replaceOn}. */
  private static Object extreme(List<?> list, String name, int replaceOn) throws CelEvaluationException {
    Object result = null;
    boolean first = true;
    for (Object next : list) {
      if (!CelValues.isComparable(next)) {
        throw CelValues.noSuchOverload(name);
      }
      if (first) {
        result = next;
        first = false;
      } else {
        Integer c = CelValues.compare(result, next);
        if (c != null && c == replaceOn) {
          result = next;
        }
      }
    }
    if (first) {
      throw CelValues.error("%s called on empty list", name);
    }
    return result;
  }

  /**
   * The sum, of the kind of the first element (int, uint, double or duration); int 0 for an empty
   * list. Overflow fails as CEL arithmetic does.
   */
  static Object sum(List<?> list) throws CelEvaluationException {
    if (list.isEmpty()) {
      return 0L;
    }
    CelValues.Kind kind = CelValues.kindOf(list.get(0));
    switch (kind) {
      case INT:
        {
          long acc = 0;
          for (Object v : list) {
            requireKind(v, kind);
            try {
              acc = Math.addExact(acc, CelValues.asLong(v));
            } catch (ArithmeticException e) {
              throw CelValues.error("integer overflow");
            }
          }
          return acc;
        }
      case UINT:
        {
          long acc = 0;
          for (Object v : list) {
            requireKind(v, kind);
            long x = ((UnsignedLong) v).longValue();
            long s = acc + x;
            if (Long.compareUnsigned(s, acc) < 0) {
              throw CelValues.error("unsigned integer overflow");
            }
            acc = s;
          }
          return UnsignedLong.fromLongBits(acc);
        }
      case DOUBLE:
        {
          double acc = 0.0;
          for (Object v : list) {
            requireKind(v, kind);
            acc += CelValues.asDouble(v);
          }
          return acc;
        }
      case DURATION:
        {
          long acc = 0;
          for (Object v : list) {
            requireKind(v, kind);
            try {
              acc = Math.addExact(acc, CelValues.durationNanos(v));
            } catch (ArithmeticException e) {
              throw CelValues.error("integer overflow");
            }
          }
          Duration d = Duration.ofNanos(acc);
          if (list.get(0) instanceof com.google.protobuf.Duration) {
            return com.google.protobuf.Duration.newBuilder()
                .setSeconds(d.getSeconds())
                .setNanos(d.getNano())
                .build();
          }
          return d;
        }
      default:
        throw CelValues.noSuchOverload("sum");
    }
  }

  private static void requireKind(Object v, CelValues.Kind kind) throws CelEvaluationException {
    if (CelValues.kindOf(v) != kind) {
      throw CelValues.noSuchOverload("sum");
    }
  }

  static long indexOf(List<?> list, Object item) {
    for (int i = 0; i < list.size(); i++) {
      if (CelValues.celEquals(list.get(i), item)) {
        return i;
      }
    }
    return -1;
  }

  static long lastIndexOf(List<?> list, Object item) {
    for (int i = list.size() - 1; i >= 0; i--) {
      if (CelValues.celEquals(list.get(i), item)) {
        return i;
      }
    }
    return -1;
  }
}
