package io.github.kubeoidc.cel;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.types.CelType;
import dev.cel.common.types.TypeType;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runtime value helpers shared by the Kubernetes CEL functions: the CEL kind of a cel-java runtime
 * value, CEL (cel-go) equality and ordering, and evaluation errors.
 *
 * <p>cel-java represents CEL values as Java objects ({@code Long}, {@code UnsignedLong},
 * {@code Double}, {@code String}, {@code Boolean}, {@code CelByteString}, {@code java.time.Duration},
 * {@code Instant}, {@code List}, {@code Map}, {@code NullValue}, {@code Optional}, types as
 * {@code TypeType}); depending on options older protobuf forms may appear, so those are accepted too.
 */
final class CelValues {

  private CelValues() {}

  /** The CEL kinds this library cares about. */
  enum Kind {
    INT, UINT, DOUBLE, BOOL, STRING, BYTES, DURATION, TIMESTAMP, NULL, LIST, MAP, TYPE, OPTIONAL, OTHER
  }

  static Kind kindOf(Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return Kind.INT;
    }
    if (v instanceof UnsignedLong) {
      return Kind.UINT;
    }
    if (v instanceof Double || v instanceof Float) {
      return Kind.DOUBLE;
    }
    if (v instanceof Boolean) {
      return Kind.BOOL;
    }
    if (v instanceof String) {
      return Kind.STRING;
    }
    if (v instanceof CelByteString || v instanceof com.google.protobuf.ByteString || v instanceof byte[]) {
      return Kind.BYTES;
    }
    if (v instanceof Duration || v instanceof com.google.protobuf.Duration) {
      return Kind.DURATION;
    }
    if (v instanceof Instant || v instanceof com.google.protobuf.Timestamp) {
      return Kind.TIMESTAMP;
    }
    if (v == null || v instanceof NullValue || v instanceof com.google.protobuf.NullValue) {
      return Kind.NULL;
    }
    if (v instanceof List) {
      return Kind.LIST;
    }
    if (v instanceof Map) {
      return Kind.MAP;
    }
    if (v instanceof CelType) {
      return Kind.TYPE;
    }
    if (v instanceof Optional) {
      return Kind.OPTIONAL;
    }
    return Kind.OTHER;
  }

  /** The CEL type name of a runtime value, spelled as cel-go spells it in error messages. */
  static String typeName(Object v) {
    switch (kindOf(v)) {
      case INT:
        return "int";
      case UINT:
        return "uint";
      case DOUBLE:
        return "double";
      case BOOL:
        return "bool";
      case STRING:
        return "string";
      case BYTES:
        return "bytes";
      case DURATION:
        return "google.protobuf.Duration";
      case TIMESTAMP:
        return "google.protobuf.Timestamp";
      case NULL:
        return "null_type";
      case LIST:
        return "list";
      case MAP:
        return "map";
      case TYPE:
        return "type";
      case OPTIONAL:
        return "optional_type";
      default:
        if (v instanceof KubeUrl) {
          return KubernetesCelLibrary.URL_TYPE.name();
        }
        if (v instanceof IpAddress) {
          return KubernetesCelLibrary.IP_TYPE.name();
        }
        if (v instanceof Cidr) {
          return KubernetesCelLibrary.CIDR_TYPE.name();
        }
        if (v instanceof Quantity) {
          return KubernetesCelLibrary.QUANTITY_TYPE.name();
        }
        if (v instanceof Semver) {
          return KubernetesCelLibrary.SEMVER_TYPE.name();
        }
        return v.getClass().getName();
    }
  }

  /** The name of a type value, e.g. {@code int} for {@code type(1)}. */
  static String typeValueName(Object v) {
    if (v instanceof TypeType) {
      TypeType t = (TypeType) v;
      if (!t.parameters().isEmpty()) {
        return t.parameters().get(0).name();
      }
      return t.name();
    }
    return ((CelType) v).name();
  }

  static long asLong(Object v) {
    return ((Number) v).longValue();
  }

  static double asDouble(Object v) {
    return ((Number) v).doubleValue();
  }

  static byte[] asBytes(Object v) {
    if (v instanceof CelByteString) {
      return ((CelByteString) v).toByteArray();
    }
    if (v instanceof com.google.protobuf.ByteString) {
      return ((com.google.protobuf.ByteString) v).toByteArray();
    }
    return (byte[]) v;
  }

  /** A duration as whole nanoseconds; throws {@link ArithmeticException} beyond int64. */
  static long durationNanos(Object v) {
    if (v instanceof Duration) {
      return ((Duration) v).toNanos();
    }
    com.google.protobuf.Duration d = (com.google.protobuf.Duration) v;
    return Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000_000L), d.getNanos());
  }

  static Duration asDuration(Object v) {
    if (v instanceof Duration) {
      return (Duration) v;
    }
    com.google.protobuf.Duration d = (com.google.protobuf.Duration) v;
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  static Instant asInstant(Object v) {
    if (v instanceof Instant) {
      return (Instant) v;
    }
    com.google.protobuf.Timestamp t = (com.google.protobuf.Timestamp) v;
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** An exact numeric value of an int, uint or finite double. */
  private static BigDecimal exact(Object v) {
    switch (kindOf(v)) {
      case INT:
        return BigDecimal.valueOf(asLong(v));
      case UINT:
        return new BigDecimal(((UnsignedLong) v).bigIntegerValue());
      default:
        return new BigDecimal(asDouble(v));
    }
  }

  private static boolean isNumeric(Kind k) {
    return k == Kind.INT || k == Kind.UINT || k == Kind.DOUBLE;
  }

  private static boolean isNaN(Object v) {
    return kindOf(v) == Kind.DOUBLE && Double.isNaN(asDouble(v));
  }

  /**
   * Whether the value supports ordering in cel-go (it implements {@code traits.Comparer}): int, uint,
   * double, bool, string, bytes, duration and timestamp.
   */
  static boolean isComparable(Object v) {
    switch (kindOf(v)) {
      case INT:
      case UINT:
      case DOUBLE:
      case BOOL:
      case STRING:
      case BYTES:
      case DURATION:
      case TIMESTAMP:
        return true;
      default:
        return false;
    }
  }

  /**
   * Orders two values as cel-go's {@code Compare} does, including cross-type numeric comparison.
   * Returns {@code null} where cel-go returns an error value (different kinds, NaN).
   */
  static Integer compare(Object a, Object b) {
    Kind ka = kindOf(a);
    Kind kb = kindOf(b);
    if (isNumeric(ka) && isNumeric(kb)) {
      if (isNaN(a) || isNaN(b)) {
        return null;
      }
      if (ka == Kind.INT && kb == Kind.INT) {
        return Integer.signum(Long.compare(asLong(a), asLong(b)));
      }
      if (ka == Kind.UINT && kb == Kind.UINT) {
        return Integer.signum(((UnsignedLong) a).compareTo((UnsignedLong) b));
      }
      if (ka == Kind.DOUBLE && kb == Kind.DOUBLE) {
        return Integer.signum(Double.compare(asDouble(a) + 0.0, asDouble(b) + 0.0));
      }
      if (isInfinite(a) || isInfinite(b)) {
        double da = ka == Kind.DOUBLE ? asDouble(a) : 0;
        double db = kb == Kind.DOUBLE ? asDouble(b) : 0;
        return Integer.signum(Double.compare(da, db));
      }
      return Integer.signum(exact(a).compareTo(exact(b)));
    }
    if (ka != kb) {
      return null;
    }
    switch (ka) {
      case BOOL:
        return Integer.signum(Boolean.compare((Boolean) a, (Boolean) b));
      case STRING:
        return Integer.signum(compareCodePoints((String) a, (String) b));
      case BYTES:
        return Integer.signum(Arrays.compareUnsigned(asBytes(a), asBytes(b)));
      case DURATION:
        return Integer.signum(asDuration(a).compareTo(asDuration(b)));
      case TIMESTAMP:
        return Integer.signum(asInstant(a).compareTo(asInstant(b)));
      default:
        return null;
    }
  }

  private static boolean isInfinite(Object v) {
    return kindOf(v) == Kind.DOUBLE && Double.isInfinite(asDouble(v));
  }

  /** Orders strings by Unicode code point, which is the byte order of their UTF-8 form (Go). */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** CEL equality as cel-go implements it: numbers compare across int, uint and double. */
  static boolean celEquals(Object a, Object b) {
    Kind ka = kindOf(a);
    Kind kb = kindOf(b);
    if (isNumeric(ka) && isNumeric(kb)) {
      Integer c = compare(a, b);
      return c != null && c == 0;
    }
    if (ka != kb) {
      return false;
    }
    switch (ka) {
      case NULL:
        return true;
      case BYTES:
        return Arrays.equals(asBytes(a), asBytes(b));
      case DURATION:
        return asDuration(a).equals(asDuration(b));
      case TIMESTAMP:
        return asInstant(a).equals(asInstant(b));
      case LIST:
        {
          List<?> la = (List<?>) a;
          List<?> lb = (List<?>) b;
          if (la.size() != lb.size()) {
            return false;
          }
          for (int i = 0; i < la.size(); i++) {
            if (!celEquals(la.get(i), lb.get(i))) {
              return false;
            }
          }
          return true;
        }
      case MAP:
        {
          Map<?, ?> ma = (Map<?, ?>) a;
          Map<?, ?> mb = (Map<?, ?>) b;
          if (ma.size() != mb.size()) {
            return false;
          }
          for (Map.Entry<?, ?> e : ma.entrySet()) {
            Optional<Object> other = lookup(mb, e.getKey());
            if (other.isEmpty() || !celEquals(e.getValue(), other.get())) {
              return false;
            }
          }
          return true;
        }
      case OPTIONAL:
        {
          Optional<?> oa = (Optional<?>) a;
          Optional<?> ob = (Optional<?>) b;
          if (oa.isEmpty() || ob.isEmpty()) {
            return oa.isEmpty() && ob.isEmpty();
          }
          return celEquals(oa.get(), ob.get());
        }
      default:
        return a.equals(b);
    }
  }

  private static Optional<Object> lookup(Map<?, ?> m, Object key) {
    if (m.containsKey(key)) {
      return Optional.ofNullable(m.get(key));
    }
    if (isNumeric(kindOf(key))) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (isNumeric(kindOf(e.getKey())) && celEquals(e.getKey(), key)) {
          return Optional.ofNullable(e.getValue());
        }
      }
    }
    return Optional.empty();
  }

  static BigInteger unsigned(UnsignedLong v) {
    return v.bigIntegerValue();
  }

  static CelEvaluationException error(String format, Object... args) {
    return new CelEvaluationException(args.length == 0 ? format : String.format(format, args));
  }

  static CelEvaluationException noSuchOverload(String function) {
    return new CelEvaluationException("no such overload: " + function);
  }
}
