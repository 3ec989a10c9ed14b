package io.github.kubeoidc.cel;

import com.google.common.primitives.UnsignedLong;
import dev.cel.runtime.CelEvaluationException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code <string>.format(<list>)} as cel-go's strings extension implements it at the version
 * Kubernetes enables (strings library version 2, locale {@code en_US}).
 *
 * <p>Clauses: {@code %s}, {@code %d}, {@code %f} / {@code %.Nf}, {@code %e}, {@code %b}, {@code %x},
 * {@code %X}, {@code %o} and {@code %%}. That cel-go version formats {@code %f} and {@code %e} through
 * a localized printer, so {@code %f} groups thousands ({@code "1,234.500000"}), prints infinities as
 * {@code ∞}, and {@code %e} prints {@code 2.718280 × 10⁰⁰}; its {@code %.Ne} takes N as a field width
 * and always uses 6 digits. All of that is reproduced. Lists and maps given to {@code %s} print as CEL
 * literals (strings quoted, doubles with 6 decimals, map entries sorted by key).
 */
final class StringFormatter {

  private StringFormatter() {}

  private static final int DEFAULT_PRECISION = 6;

  /** A failure inside one clause; becomes "error during formatting: ..." or similar. */
  private static final class FormatError extends Exception {
    private static final long serialVersionUID = 1L;

    FormatError(String message) {
      super(message);
    }
  }

  private interface Clause {
    String apply(Object arg) throws FormatError;
  }

  static String format(String formatStr, List<?> args) throws CelEvaluationException {
    StringBuilder out = new StringBuilder();
    int argIndex = 0;
    int i = 0;
    while (i < formatStr.length()) {
      char c = formatStr.charAt(i);
      if (c != '%') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < formatStr.length() && formatStr.charAt(i + 1) == '%') {
        out.append('%');
        i += 2;
        continue;
      }
      if (argIndex >= args.size()) {
        throw CelValues.error("index %d out of range", argIndex);
      }
      Object arg = args.get(argIndex);
      if (i + 1 >= formatStr.length()) {
        throw CelValues.error("unexpected end of string");
      }
      // Parse the clause after '%': optional precision, then the verb.
      int j = i + 1;
      Integer precision = null;
      if (formatStr.charAt(j) == '.') {
        j++;
        int start = j;
        while (true) {
          if (j >= formatStr.length()) {
            throw CelValues.error(
                "could not parse formatting clause: error while parsing precision: could not find end of precision specifier");
          }
          char d = formatStr.charAt(j);
          if (d < '0' || d > '9') {
            break;
          }
          j++;
        }
        String digits = formatStr.substring(start, j);
        try {
          precision = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
          throw CelValues.error(
              "could not parse formatting clause: error while parsing precision: "
                  + "error while converting precision to integer: strconv.Atoi: parsing %s: %s",
              GoText.quote(digits),
              digits.isEmpty() ? "invalid syntax" : "value out of range");
        }
      }
      char verb = formatStr.charAt(j);
      j++;
      Clause clause = clauseFor(verb, precision);
      if (clause == null) {
        throw CelValues.error(
            "could not parse formatting clause: unrecognized formatting clause %s", GoText.quote(String.valueOf(verb)));
      }
      try {
        out.append(clause.apply(arg));
      } catch (FormatError e) {
        throw CelValues.error("error during formatting: %s", e.getMessage());
      }
      i = j;
      argIndex++;
    }
    return out.toString();
  }

  private static Clause clauseFor(char verb, Integer precision) {
    switch (verb) {
      case 's':
        return StringFormatter::formatString;
      case 'd':
        return StringFormatter::formatDecimal;
      case 'f':
        return arg -> formatFixed(arg, precision == null ? DEFAULT_PRECISION : precision);
      case 'e':
        return arg -> formatScientific(arg, precision == null ? DEFAULT_PRECISION : precision);
      case 'b':
        return StringFormatter::formatBinary;
      case 'x':
        return arg -> formatHex(arg, false);
      case 'X':
        return arg -> formatHex(arg, true);
      case 'o':
        return StringFormatter::formatOctal;
      default:
        return null;
    }
  }

  // ---- %s ----

  static String formatString(Object arg) throws FormatError {
    switch (CelValues.kindOf(arg)) {
      case LIST:
        return formatList((List<?>) arg);
      case MAP:
        return formatMap((Map<?, ?>) arg);
      case INT:
        return Long.toString(CelValues.asLong(arg));
      case UINT:
        return arg.toString();
      case DOUBLE:
        return GoText.formatG(CelValues.asDouble(arg));
      case BOOL:
        return arg.toString();
      case STRING:
        return (String) arg;
      case TIMESTAMP:
        return GoText.timestamp(CelValues.asInstant(arg));
      case BYTES:
        return GoText.utf8(CelValues.asBytes(arg));
      case DURATION:
        return GoText.duration(CelValues.asDuration(arg));
      case TYPE:
        return CelValues.typeValueName(arg);
      case NULL:
        return "null";
      default:
        throw stringFormatError(arg);
    }
  }

  private static FormatError stringFormatError(Object arg) {
    return new FormatError(
        "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, "
            + "durations, and timestamps, was given "
            + CelValues.typeName(arg));
  }

  /** How a list or map member is printed: as a CEL literal. */
  private static String formatMember(Object v) throws FormatError {
    switch (CelValues.kindOf(v)) {
      case INT:
      case UINT:
        return formatDecimal(v);
      case STRING:
        return GoText.quote((String) v);
      case BYTES:
        return "b" + GoText.quote(CelValues.asBytes(v));
      case BOOL:
      case NULL:
      case TYPE:
        return formatString(v);
      case TIMESTAMP:
        return "timestamp(" + GoText.quote(GoText.timestamp(CelValues.asInstant(v))) + ")";
      case DURATION:
        return "duration(" + GoText.quote(GoText.duration(CelValues.asDuration(v))) + ")";
      case LIST:
        return formatList((List<?>) v);
      case MAP:
        return formatMap((Map<?, ?>) v);
      case DOUBLE:
        {
          double d = CelValues.asDouble(v);
          String s = GoText.formatFixed(d, DEFAULT_PRECISION);
          return Double.isNaN(d) || Double.isInfinite(d) ? GoText.quote(s) : s;
        }
      default:
        throw new FormatError("no formatting function for " + CelValues.typeName(v));
    }
  }

  private static String formatList(List<?> list) throws FormatError {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(formatMember(list.get(i)));
    }
    return b.append(']').toString();
  }

  private static String formatMap(Map<?, ?> map) throws FormatError {
    List<String[]> pairs = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object key = e.getKey();
      String keyStr;
      switch (CelValues.kindOf(key)) {
        case STRING:
          keyStr = GoText.quote((String) key);
          break;
        case BOOL:
          keyStr = key.toString();
          break;
        case INT:
        case UINT:
          keyStr = formatDecimal(key);
          break;
        default:
          throw new FormatError("no formatting function for map key of type " + CelValues.typeName(key));
      }
      pairs.add(new String[] {keyStr, formatMember(e.getValue())});
    }
    pairs.sort((x, y) -> CelValues.compareCodePoints(x[0], y[0]));
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < pairs.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(pairs.get(i)[0]).append(':').append(pairs.get(i)[1]);
    }
    return b.append('}').toString();
  }

  // ---- %d %b %o %x ----

  private static String formatDecimal(Object arg) throws FormatError {
    switch (CelValues.kindOf(arg)) {
      case INT:
        return Long.toString(CelValues.asLong(arg));
      case UINT:
        return arg.toString();
      default:
        throw new FormatError(
            "decimal clause can only be used on integers, was given " + CelValues.typeName(arg));
    }
  }

  private static String formatBinary(Object arg) throws FormatError {
    switch (CelValues.kindOf(arg)) {
      case INT:
        return signedRadix(CelValues.asLong(arg), 2);
      case UINT:
        return ((UnsignedLong) arg).toString(2);
      case BOOL:
        return ((Boolean) arg) ? "1" : "0";
      default:
        throw new FormatError(
            "only integers and bools can be formatted as binary, was given " + CelValues.typeName(arg));
    }
  }

  private static String formatOctal(Object arg) throws FormatError {
    switch (CelValues.kindOf(arg)) {
      case INT:
        return signedRadix(CelValues.asLong(arg), 8);
      case UINT:
        return ((UnsignedLong) arg).toString(8);
      default:
        throw new FormatError(
            "octal clause can only be used on integers, was given " + CelValues.typeName(arg));
    }
  }

  private static String formatHex(Object arg, boolean upper) throws FormatError {
    String s;
    switch (CelValues.kindOf(arg)) {
      case STRING:
        s = hexBytes(((String) arg).getBytes(StandardCharsets.UTF_8));
        break;
      case BYTES:
        s = hexBytes(CelValues.asBytes(arg));
        break;
      case INT:
        s = signedRadix(CelValues.asLong(arg), 16);
        break;
      case UINT:
        s = ((UnsignedLong) arg).toString(16);
        break;
      default:
        throw new FormatError(
            "only integers, byte buffers, and strings can be formatted as hex, was given "
                + CelValues.typeName(arg));
    }
    return upper ? s.toUpperCase(java.util.Locale.ROOT) : s;
  }

  /** Go's %b/%o/%x of an int64: a minus sign, then the magnitude. */
  private static String signedRadix(long v, int radix) {
    if (v < 0) {
      return "-" + Long.toUnsignedString(-v, radix);
    }
    return Long.toString(v, radix);
  }

  private static String hexBytes(byte[] b) {
    StringBuilder out = new StringBuilder(b.length * 2);
    for (byte x : b) {
      out.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return out.toString();
  }

  // ---- %f %e (localized, en_US) ----

  /** The double a %f/%e argument stands for: a double, or one of the strings NaN/Infinity/-Infinity. */
  private static double floatArg(Object arg, String clauseName) throws FormatError {
    if (CelValues.kindOf(arg) == CelValues.Kind.STRING) {
      switch ((String) arg) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    if (CelValues.kindOf(arg) != CelValues.Kind.DOUBLE) {
      throw new FormatError(
          clauseName + " clause can only be used on doubles, was given " + CelValues.typeName(arg));
    }
    return CelValues.asDouble(arg);
  }

  private static String nonFinite(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    return d > 0 ? "∞" : "-∞";
  }

  private static String formatFixed(Object arg, int precision) throws FormatError {
    double d = floatArg(arg, "fixed-point");
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return nonFinite(d);
    }
    String plain = new BigDecimal(d).abs().setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
    int dot = plain.indexOf('.');
    String intPart = dot >= 0 ? plain.substring(0, dot) : plain;
    String frac = dot >= 0 ? plain.substring(dot) : "";
    StringBuilder grouped = new StringBuilder();
    for (int k = 0; k < intPart.length(); k++) {
      if (k > 0 && (intPart.length() - k) % 3 == 0) {
        grouped.append(',');
      }
      grouped.append(intPart.charAt(k));
    }
    return (d < 0 ? "-" : "") + grouped + frac;
  }

  private static final String SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

  /**
   * %e as that cel-go version prints it: mantissa with 6 decimals, {@code " × 10"} (narrow no-break
   * spaces) and a superscript exponent of at least two digits; the "precision" is a minimum width.
   */
  private static String formatScientific(Object arg, int width) throws FormatError {
    double d = floatArg(arg, "scientific");
    String s;
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      s = nonFinite(d);
    } else {
      BigDecimal abs = new BigDecimal(d).abs();
      int exp = 0;
      BigDecimal mantissa = BigDecimal.ZERO.setScale(DEFAULT_PRECISION);
      if (abs.signum() != 0) {
        exp = abs.precision() - abs.scale() - 1;
        mantissa = abs.movePointLeft(exp).setScale(DEFAULT_PRECISION, RoundingMode.HALF_EVEN);
        if (mantissa.compareTo(BigDecimal.TEN) >= 0) {
          exp++;
          mantissa = abs.movePointLeft(exp).setScale(DEFAULT_PRECISION, RoundingMode.HALF_EVEN);
        }
      }
      StringBuilder e = new StringBuilder();
      String digits = Integer.toString(Math.abs(exp));
      if (digits.length() < 2) {
        digits = "0" + digits;
      }
      for (char c : digits.toCharArray()) {
        e.append(SUPERSCRIPT_DIGITS.charAt(c - '0'));
      }
      s = (d < 0 ? "-" : "") + mantissa.toPlainString() + "\u202f×\u202f10" + (exp < 0 ? "⁻" : "") + e;
    }
    int len = s.codePointCount(0, s.length());
    if (len < width) {
      s = " ".repeat(width - len) + s;
    }
    return s;
  }
}
