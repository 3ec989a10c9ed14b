package io.github.kubeoidc.cel;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Text renderings that must match what Go (and so kube-apiserver) prints: {@code strconv.Quote},
 * float formatting ({@code 'g'} shortest, {@code 'f'}, {@code 'e'}), and the string forms cel-go gives
 * durations and timestamps.
 */
final class GoText {

  private GoText() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Go's {@code strconv.Quote} of a string. */
  static String quote(String s) {
    return quote(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Go's {@code strconv.Quote} of raw bytes: invalid UTF-8 bytes are written as {@code \xNN}. */
  static String quote(byte[] b) {
    StringBuilder out = new StringBuilder(b.length + 2).append('"');
    int i = 0;
    while (i < b.length) {
      int cp;
      int width;
      int c0 = b[i] & 0xff;
      if (c0 < 0x80) {
        cp = c0;
        width = 1;
      } else {
        int[] decoded = decodeRune(b, i);
        cp = decoded[0];
        width = decoded[1];
      }
      if (cp < 0) {
        out.append("\\x").append(HEX[c0 >> 4]).append(HEX[c0 & 0xf]);
        i += 1;
        continue;
      }
      i += width;
      appendQuotedRune(out, cp);
    }
    return out.append('"').toString();
  }

  private static void appendQuotedRune(StringBuilder out, int cp) {
    if (cp == '"' || cp == '\\') {
      out.append('\\').appendCodePoint(cp);
      return;
    }
    if (isPrint(cp)) {
      out.appendCodePoint(cp);
      return;
    }
    switch (cp) {
      case 0x07:
        out.append("\\a");
        return;
      case '\b':
        out.append("\\b");
        return;
      case '\f':
        out.append("\\f");
        return;
      case '\n':
        out.append("\\n");
        return;
      case '\r':
        out.append("\\r");
        return;
      case '\t':
        out.append("\\t");
        return;
      case 0x0b:
        out.append("\\v");
        return;
      default:
        break;
    }
    if (cp < ' ' || cp == 0x7f) {
      out.append("\\x").append(HEX[cp >> 4]).append(HEX[cp & 0xf]);
    } else if (cp < 0x10000) {
      out.append("\\u").append(String.format("%04x", cp));
    } else {
      out.append("\\U").append(String.format("%08x", cp));
    }
  }

  /** Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and ASCII space. */
  private static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER:
      case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.COMBINING_SPACING_MARK:
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
      case Character.MATH_SYMBOL:
      case Character.CURRENCY_SYMBOL:
      case Character.MODIFIER_SYMBOL:
      case Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }

  /** Decodes one UTF-8 sequence at {@code i}: {code point, width}, or {-1, 1} when invalid. */
  private static int[] decodeRune(byte[] b, int i) {
    int c0 = b[i] & 0xff;
    int need;
    int min;
    int cp;
    if (c0 >= 0xc2 && c0 <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = c0 & 0x1f;
    } else if (c0 >= 0xe0 && c0 <= 0xef) {
      need = 2;
      min = 0x800;
      cp = c0 & 0x0f;
    } else if (c0 >= 0xf0 && c0 <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = c0 & 0x07;
    } else {
      return new int[] {-1, 1};
    }
    for (int k = 1; k <= need; k++) {
      if (i + k >= b.length) {
        return new int[] {-1, 1};
      }
      int c = b[i + k] & 0xff;
      if ((c & 0xc0) != 0x80) {
        return new int[] {-1, 1};
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return new int[] {-1, 1};
    }
    return new int[] {cp, need + 1};
  }

  /** Go's {@code string(bytes)} seen as Java text: invalid UTF-8 becomes U+FFFD. */
  static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  /** Whether a byte array is valid UTF-8. */
  static boolean isValidUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** The shortest decimal that reads back as {@code d} (the digits Go's {@code 'g', -1} uses). */
  static BigDecimal shortest(double d) {
    if (d == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal exact = new BigDecimal(d);
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (Double.parseDouble(r.toString()) == d) {
        return r;
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
  }

  /** Go's {@code strconv.FormatFloat(d, 'g', -1, 64)}: how cel-go turns a double into a string. */
  static String formatG(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    BigDecimal s = shortest(d).stripTrailingZeros();
    String digits = s.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - s.scale();
    String sign = d < 0 ? "-" : "";
    if (exp < -4 || exp >= 6) {
      StringBuilder m = new StringBuilder(digits.substring(0, 1));
      if (digits.length() > 1) {
        m.append('.').append(digits, 1, digits.length());
      }
      return sign + m + exponent(exp);
    }
    return sign + s.abs().toPlainString();
  }

  private static String exponent(int exp) {
    String e = Integer.toString(Math.abs(exp));
    if (e.length() < 2) {
      e = "0" + e;
    }
    return "e" + (exp < 0 ? "-" : "+") + e;
  }

  /** Go's {@code strconv.FormatFloat(d, 'f', -1, 64)}: shortest digits, never an exponent. */
  static String formatShortestPlain(double d) {
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    return shortest(d).stripTrailingZeros().toPlainString();
  }

  /** Go's {@code fmt.Sprintf("%.<prec>f", d)} (exact binary value, ties to even). */
  static String formatFixed(double d, int prec) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    String body = new BigDecimal(d).abs().setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
    boolean negative = d < 0 || (d == 0 && 1 / d < 0);
    return (negative ? "-" : "") + body;
  }

  /**
   * How cel-go prints a timestamp: {@code time.RFC3339Nano} in UTC, fractional seconds without
   * trailing zeros.
   */
  static String timestamp(Instant t) {
    String base = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").format(t.atOffset(ZoneOffset.UTC));
    int nanos = t.getNano();
    if (nanos == 0) {
      return base + "Z";
    }
    String frac = String.format("%09d", nanos).replaceFirst("0+$", "");
    return base + "." + frac + "Z";
  }

  /**
   * How cel-go prints a duration: Go's {@code Duration.Seconds()} (whole seconds plus the nanosecond
   * remainder over 1e9, as float64) as the shortest float, then {@code s}.
   */
  static String duration(Duration d) {
    double seconds;
    try {
      long nanos = d.toNanos();
      seconds = (double) (nanos / 1_000_000_000L) + (double) (nanos % 1_000_000_000L) / 1e9;
    } catch (ArithmeticException beyondGoRange) {
      seconds = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).doubleValue();
    }
    return formatShortestPlain(seconds) + "s";
  }
}
