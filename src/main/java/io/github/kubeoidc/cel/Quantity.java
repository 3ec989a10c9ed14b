package io.github.kubeoidc.cel;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.OptionalLong;

/**
 * A Kubernetes resource quantity ({@code 1.5Gi}, {@code 500m}, {@code 2e3}), the runtime value of the
 * CEL type {@code kubernetes.Quantity} (Kubernetes' {@code quantity(<string>)}).
 *
 * <p>This reproduces {@code k8s.io/apimachinery/pkg/api/resource.Quantity} as the Kubernetes CEL
 * library observes it: the same grammar and errors, values rounded up to nano units, binary-suffix
 * values capped at 2^63-1, and the same two internal forms — a scaled int64 or an arbitrary decimal —
 * because {@link #isInteger()} / {@link #asInteger()} depend on which form a value is in (Kubernetes
 * only converts the int64 form: {@code quantity('1.0').isInteger()} is false, and so is any quantity
 * that went through the decimal form, such as {@code quantity('1.5Gi')}). Comparison and equality are
 * numeric and symmetric. (In Kubernetes, {@code add}/{@code sub} return a pointer-typed CEL value
 * whose {@code ==} is one-sided: {@code quantity('1') == quantity('2').sub(1)} is false there while
 * {@code quantity('2').sub(1) == quantity('1')} is true; that defect is not reproduced.)
 */
public final class Quantity implements Comparable<Quantity> {

  private static final int NANO = -9;
  private static final int MAX_INT64_FACTORS = 18;
  private static final BigDecimal MAX_ALLOWED = BigDecimal.valueOf(Long.MAX_VALUE);

  /** The messages of resource.ErrFormatWrong, ErrNumeric and ErrSuffix. */
  static final String ERR_FORMAT_WRONG =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

  static final String ERR_NUMERIC = "unable to parse numeric part of quantity";
  static final String ERR_SUFFIX = "unable to parse quantity's suffix";

  // int64Amount form (value * 10^scale) when dec == null, else the inf.Dec form.
  private final long value;
  private final int scale;
  private final BigDecimal dec;

  private Quantity(long value, int scale) {
    this.value = value;
    this.scale = scale;
    this.dec = null;
  }

  private Quantity(BigDecimal dec) {
    this.value = 0;
    this.scale = 0;
    this.dec = dec;
  }

  /** A quantity of a whole number (Go's {@code resource.NewQuantity(n, DecimalExponent)}). */
  public static Quantity of(long n) {
    return new Quantity(n, 0);
  }

  /**
   * Parses as Go's {@code resource.ParseQuantity}.
   *
   * @throws IllegalArgumentException with Kubernetes' error text
   */
  public static Quantity parse(String str) {
    try {
      return parseQuantity(str);
    } catch (ArithmeticException outOfRange) {
      // exponents near the int32 limits: Go wraps silently and yields an arbitrary value
      throw new IllegalArgumentException(ERR_NUMERIC);
    }
  }

  private static Quantity parseQuantity(String str) {
    if (str.isEmpty()) {
      throw new IllegalArgumentException(ERR_FORMAT_WRONG);
    }
    if (str.equals("0")) {
      return new Quantity(0, 0);
    }
    Scanned q = scan(str);
    int base;
    int exponent;
    boolean binary;
    switch (q.suffix) {
      case "":
        base = 10; exponent = 0; binary = false; break;
      case "n":
        base = 10; exponent = -9; binary = false; break;
      case "u":
        base = 10; exponent = -6; binary = false; break;
      case "m":
        base = 10; exponent = -3; binary = false; break;
      case "k":
        base = 10; exponent = 3; binary = false; break;
      case "M":
        base = 10; exponent = 6; binary = false; break;
      case "G":
        base = 10; exponent = 9; binary = false; break;
      case "T":
        base = 10; exponent = 12; binary = false; break;
      case "P":
        base = 10; exponent = 15; binary = false; break;
      case "E":
        base = 10; exponent = 18; binary = false; break;
      case "Ki":
        base = 2; exponent = 10; binary = true; break;
      case "Mi":
        base = 2; exponent = 20; binary = true; break;
      case "Gi":
        base = 2; exponent = 30; binary = true; break;
      case "Ti":
        base = 2; exponent = 40; binary = true; break;
      case "Pi":
        base = 2; exponent = 50; binary = true; break;
      case "Ei":
        base = 2; exponent = 60; binary = true; break;
      default:
        {
          String sfx = q.suffix;
          if (sfx.length() > 1 && (sfx.charAt(0) == 'e' || sfx.charAt(0) == 'E')) {
            Long parsed = parseInt64(sfx.substring(1));
            if (parsed == null) {
              throw new IllegalArgumentException(ERR_SUFFIX);
            }
            base = 10;
            exponent = (int) (long) parsed; // Go truncates to int32
            binary = false;
          } else {
            throw new IllegalArgumentException(ERR_SUFFIX);
          }
        }
    }

    // The int64 fast path: small enough to hold exactly as value * 10^scale.
    int precision;
    int scale = 0;
    long mantissa = 1;
    if (!binary) {
      scale = exponent;
      precision = MAX_INT64_FACTORS - (q.num.length() + q.denom.length());
    } else if (exponent >= 0 && q.denom.isEmpty()) {
      mantissa = 1L << exponent;
      precision = 15 - q.num.length() - (int) ((float) exponent * 3 / 10) - 1;
    } else {
      precision = -1;
    }
    if (precision >= 0) {
      scale -= q.denom.length();
      if (scale >= NANO) {
        long v = Long.parseLong(q.num + q.denom);
        try {
          long result = Math.multiplyExact(v, mantissa);
          return new Quantity(q.positive ? result : -result, scale);
        } catch (ArithmeticException overflow) {
          // fall through to the decimal form
        }
      }
    }

    BigDecimal amount;
    try {
      amount = new BigDecimal(q.value.endsWith(".") ? q.value.substring(0, q.value.length() - 1) : q.value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(ERR_NUMERIC);
    }
    if (base == 10) {
      amount = amount.scaleByPowerOfTen(exponent);
    } else {
      amount = new BigDecimal(amount.unscaledValue().shiftLeft(exponent), amount.scale());
    }
    int sign = amount.signum();
    if (sign != 0) {
      amount = amount.setScale(-NANO, RoundingMode.UP);
    }
    if (binary && amount.abs().compareTo(MAX_ALLOWED) > 0) {
      amount = sign < 0 ? MAX_ALLOWED.negate() : MAX_ALLOWED;
    }
    return new Quantity(amount);
  }

  /** Whether {@link #parse} accepts the string. */
  public static boolean isValid(String s) {
    try {
      parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static final class Scanned {
    boolean positive = true;
    String value = "";
    String num = "";
    String denom = "";
    String suffix = "";
  }

  /** The scanner of {@code resource.parseQuantityString}. */
  private static Scanned scan(String str) {
    Scanned q = new Scanned();
    int pos = 0;
    int end = str.length();
    if (pos < end) {
      if (str.charAt(0) == '-') {
        q.positive = false;
        pos++;
      } else if (str.charAt(0) == '+') {
        pos++;
      }
    }
    while (true) {
      if (pos >= end) {
        q.num = "0";
        q.value = "0";
        return q;
      }
      if (str.charAt(pos) != '0') {
        break;
      }
      pos++;
    }
    int i = pos;
    while (true) {
      if (i >= end) {
        q.num = str.substring(pos);
        q.value = str;
        return q;
      }
      char c = str.charAt(i);
      if (c < '0' || c > '9') {
        q.num = str.substring(pos, i);
        pos = i;
        break;
      }
      i++;
    }
    if (q.num.isEmpty()) {
      q.num = "0";
    }
    if (pos < end && str.charAt(pos) == '.') {
      pos++;
      i = pos;
      while (true) {
        if (i >= end) {
          q.denom = str.substring(pos);
          q.value = str;
          return q;
        }
        char c = str.charAt(i);
        if (c < '0' || c > '9') {
          q.denom = str.substring(pos, i);
          pos = i;
          break;
        }
        i++;
      }
    }
    q.value = str.substring(0, pos);
    int suffixStart = pos;
    for (i = pos; ; i++) {
      if (i >= end) {
        q.suffix = str.substring(suffixStart);
        return q;
      }
      if ("eEinumkKMGTP".indexOf(str.charAt(i)) < 0) {
        pos = i;
        break;
      }
    }
    if (pos < end && (str.charAt(pos) == '-' || str.charAt(pos) == '+')) {
      pos++;
    }
    for (i = pos; ; i++) {
      if (i >= end) {
        q.suffix = str.substring(suffixStart);
        return q;
      }
      char c = str.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
    }
    throw new IllegalArgumentException(ERR_FORMAT_WRONG);
  }

  /** Go's {@code strconv.ParseInt(s, 10, 64)}; null when it fails. */
  private static Long parseInt64(String s) {
    if (s.isEmpty()) {
      return null;
    }
    int start = (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
    if (start == s.length()) {
      return null;
    }
    for (int i = start; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return null;
      }
    }
    BigInteger v = new BigInteger(s.charAt(0) == '+' ? s.substring(1) : s);
    return v.bitLength() > 63 ? null : v.longValue();
  }

  /** The exact value. */
  public BigDecimal toBigDecimal() {
    return dec != null ? dec : BigDecimal.valueOf(value, -scale);
  }

  private boolean isDecForm() {
    return dec != null;
  }

  /**
   * The value as an int64 when Kubernetes' {@code AsInt64} gives one: only for the int64 form with a
   * scale of 0 or more and no overflow.
   */
  public OptionalLong asInt64() {
    if (isDecForm() || scale < 0) {
      return OptionalLong.empty();
    }
    long v = value;
    try {
      for (int i = 0; i < scale; i++) {
        v = Math.multiplyExact(v, 10L);
      }
    } catch (ArithmeticException overflow) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(v);
  }

  /** Kubernetes' {@code isInteger()}: whether {@link #asInt64()} gives a value. */
  public boolean isInteger() {
    return asInt64().isPresent();
  }

  /**
   * Kubernetes' {@code asApproximateFloat()}: unscaled value times a power of ten, computed as Go
   * does ({@code math.Pow10}), so out-of-range values give ±Inf or 0.
   */
  public double asApproximateFloat() {
    double base;
    int exponent;
    if (isDecForm()) {
      base = new BigDecimal(dec.unscaledValue()).doubleValue();
      exponent = -dec.scale();
    } else {
      base = (double) value;
      exponent = scale;
    }
    if (exponent == 0) {
      return base;
    }
    return base * pow10(exponent);
  }

  private static final double[] POW10 = {
    1e00, 1e01, 1e02, 1e03, 1e04, 1e05, 1e06, 1e07, 1e08, 1e09,
    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29,
    1e30, 1e31
  };
  private static final double[] POW10_POS32 = {
    1e00, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288
  };
  private static final double[] POW10_NEG32 = {
    1e-00, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320
  };

  /** Go's {@code math.Pow10}. */
  static double pow10(int n) {
    if (0 <= n && n <= 308) {
      return POW10_POS32[n / 32] * POW10[n % 32];
    }
    if (-323 <= n && n <= 0) {
      return POW10_NEG32[-n / 32] / POW10[-n % 32];
    }
    return n > 0 ? Double.POSITIVE_INFINITY : 0;
  }

  /** -1, 0 or 1. */
  public int sign() {
    return isDecForm() ? dec.signum() : Long.signum(value);
  }

  private BigDecimal asDec() {
    return toBigDecimal();
  }

  /** Adds as {@code Quantity.Add}: stays in the int64 form while it can. */
  public Quantity add(Quantity y) {
    if (!isDecForm() && !y.isDecForm()) {
      Quantity r = int64Add(this, y.value, y.scale);
      if (r != null) {
        return r;
      }
    }
    return new Quantity(asDec().add(y.asDec()));
  }

  /** Subtracts as {@code Quantity.Sub}: stays in the int64 form while it can. */
  public Quantity sub(Quantity y) {
    if (!isDecForm() && !y.isDecForm()) {
      Quantity r = int64Add(this, -y.value, y.scale); // Go negates without an overflow check too
      if (r != null) {
        return r;
      }
    }
    return new Quantity(asDec().subtract(y.asDec()));
  }

  public Quantity add(long n) {
    return add(of(n));
  }

  public Quantity sub(long n) {
    return sub(of(n));
  }

  /** {@code int64Amount.Add}: null when the result does not fit. */
  private static Quantity int64Add(Quantity a, long bValue, int bScale) {
    if (bValue == 0) {
      return a;
    }
    if (a.value == 0) {
      return new Quantity(bValue, bScale);
    }
    try {
      if (a.scale == bScale) {
        return new Quantity(Math.addExact(a.value, bValue), a.scale);
      } else if (a.scale > bScale) {
        long c = scaleUp(a.value, a.scale - bScale);
        return new Quantity(Math.addExact(c, bValue), bScale);
      } else {
        long c = scaleUp(bValue, bScale - a.scale);
        return new Quantity(Math.addExact(a.value, c), a.scale);
      }
    } catch (ArithmeticException overflow) {
      return null;
    }
  }

  private static long scaleUp(long v, int by) {
    for (int i = 0; i < by; i++) {
      v = Math.multiplyExact(v, 10L);
    }
    return v;
  }

  /** Numeric order (Go's {@code Quantity.Cmp}). */
  @Override
  public int compareTo(Quantity o) {
    return Integer.signum(asDec().compareTo(o.asDec()));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Quantity && compareTo((Quantity) o) == 0;
  }

  @Override
  public int hashCode() {
    BigDecimal d = asDec();
    return d.signum() == 0 ? 0 : d.stripTrailingZeros().hashCode();
  }

  /** The exact value in plain decimal notation (not Kubernetes' canonical suffixed form). */
  @Override
  public String toString() {
    return asDec().toPlainString();
  }
}
