package io.github.kubeoidc.cel;

/**
 * IP address and prefix parsing with the rules and error texts of Go's {@code net/netip}
 * ({@code ParseAddr}, {@code ParsePrefix}), which Kubernetes' IP and CIDR libraries use.
 */
final class NetIp {

  private NetIp() {}

  /** A parse failure; the message is the text Go's error would print. */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;

    ParseException(String message) {
      super(message);
    }
  }

  /** Address bytes (4 or 16) and the zone ("" when none). */
  static final class Parsed {
    final byte[] bytes;
    final String zone;

    Parsed(byte[] bytes, String zone) {
      this.bytes = bytes;
      this.zone = zone;
    }
  }

  private static ParseException addrError(String in, String msg, String at) {
    String text = "ParseAddr(" + GoText.quote(in) + "): " + msg;
    if (at != null && !at.isEmpty()) {
      text += " (at " + GoText.quote(at) + ")";
    }
    return new ParseException(text);
  }

  static Parsed parseAddr(String s) throws ParseException {
    for (int i = 0; i < s.length(); i++) {
      switch (s.charAt(i)) {
        case '.':
          return new Parsed(parseIPv4(s), "");
        case ':':
          return parseIPv6(s);
        case '%':
          throw addrError(s, "missing IPv6 address", null);
        default:
          break;
      }
    }
    throw addrError(s, "unable to parse IP", null);
  }

  private static byte[] parseIPv4(String in) throws ParseException {
    byte[] out = new byte[4];
    parseIPv4Fields(in, 0, in.length(), out, 0);
    return out;
  }

  private static void parseIPv4Fields(String in, int off, int end, byte[] out, int outOff)
      throws ParseException {
    String s = in.substring(off, end);
    int val = 0;
    int pos = 0;
    int digLen = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (digLen == 1 && val == 0) {
          throw addrError(in, "IPv4 field has octet with leading zero", null);
        }
        val = val * 10 + (c - '0');
        digLen++;
        if (val > 255) {
          throw addrError(in, "IPv4 field has value >255", null);
        }
      } else if (c == '.') {
        if (i == 0 || i == s.length() - 1 || s.charAt(i - 1) == '.') {
          throw addrError(in, "IPv4 field must have at least one digit", s.substring(i));
        }
        if (pos == 3) {
          throw addrError(in, "IPv4 address too long", null);
        }
        out[outOff + pos] = (byte) val;
        pos++;
        val = 0;
        digLen = 0;
      } else {
        throw addrError(in, "unexpected character", s.substring(i));
      }
    }
    if (pos < 3) {
      throw addrError(in, "IPv4 address too short", null);
    }
    out[outOff + 3] = (byte) val;
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static Parsed parseIPv6(String in) throws ParseException {
    String s = in;
    String zone = "";
    int pct = s.indexOf('%');
    if (pct != -1) {
      zone = s.substring(pct + 1);
      s = s.substring(0, pct);
      if (zone.isEmpty()) {
        throw addrError(in, "zone must be a non-empty string", null);
      }
    }
    byte[] ip = new byte[16];
    int ellipsis = -1;
    if (s.length() >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
      ellipsis = 0;
      s = s.substring(2);
      if (s.isEmpty()) {
        return new Parsed(ip, zone);
      }
    }
    int i = 0;
    while (i < 16) {
      int off = 0;
      int acc = 0;
      for (; off < s.length(); off++) {
        int h = hexValue(s.charAt(off));
        if (h < 0) {
          break;
        }
        acc = (acc << 4) + h;
        if (off > 3) {
          throw addrError(in, "each group must have 4 or less digits", s);
        }
        if (acc > 0xffff) {
          throw addrError(in, "IPv6 field has value >=2^16", s);
        }
      }
      if (off == 0) {
        throw addrError(in, "each colon-separated field must have at least one digit", s);
      }
      if (off < s.length() && s.charAt(off) == '.') {
        if (ellipsis < 0 && i != 12) {
          throw addrError(in, "embedded IPv4 address must replace the final 2 fields of the address", s);
        }
        if (i + 4 > 16) {
          throw addrError(in, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
        }
        int end = in.length();
        if (!zone.isEmpty()) {
          end -= zone.length() + 1;
        }
        parseIPv4Fields(in, end - s.length(), end, ip, i);
        s = "";
        i += 4;
        break;
      }
      ip[i] = (byte) (acc >> 8);
      ip[i + 1] = (byte) acc;
      i += 2;
      s = s.substring(off);
      if (s.isEmpty()) {
        break;
      }
      if (s.charAt(0) != ':') {
        throw addrError(in, "unexpected character, want colon", s);
      } else if (s.length() == 1) {
        throw addrError(in, "colon must be followed by more characters", s);
      }
      s = s.substring(1);
      if (s.charAt(0) == ':') {
        if (ellipsis >= 0) {
          throw addrError(in, "multiple :: in address", s);
        }
        ellipsis = i;
        s = s.substring(1);
        if (s.isEmpty()) {
          break;
        }
      }
    }
    if (!s.isEmpty()) {
      throw addrError(in, "trailing garbage after address", s);
    }
    if (i < 16) {
      if (ellipsis < 0) {
        throw addrError(in, "address string too short", null);
      }
      int n = 16 - i;
      for (int j = i - 1; j >= ellipsis; j--) {
        ip[j + n] = ip[j];
      }
      for (int j = ellipsis; j < ellipsis + n; j++) {
        ip[j] = 0;
      }
    } else if (ellipsis >= 0) {
      throw addrError(in, "the :: must expand to at least one field of zeros", s);
    }
    return new Parsed(ip, zone);
  }

  /** Whether 16 address bytes are an IPv4-mapped IPv6 address (::ffff:0:0/96). */
  static boolean is4In6(byte[] b) {
    if (b.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }

  /** Go's {@code Addr.String}. */
  static String format(byte[] b) {
    if (b.length == 4) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }
    if (is4In6(b)) {
      return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int zeroStart = -1;
    int zeroLen = 0;
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      int len = j - i;
      if (len >= 2 && len > zeroLen) {
        zeroStart = i;
        zeroLen = len;
      }
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == zeroStart) {
        out.append("::");
        i += zeroLen - 1;
        continue;
      }
      if (i > 0 && out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  /** An address and prefix length, as Go's {@code netip.ParsePrefix} reads them. */
  static final class ParsedPrefix {
    final byte[] bytes;
    final int bits;

    ParsedPrefix(byte[] bytes, int bits) {
      this.bytes = bytes;
      this.bits = bits;
    }
  }

  private static ParseException prefixError(String in, String msg) {
    return new ParseException("netip.ParsePrefix(" + GoText.quote(in) + "): " + msg);
  }

  static ParsedPrefix parsePrefix(String s) throws ParseException {
    int slash = s.lastIndexOf('/');
    if (slash < 0) {
      throw prefixError(s, "no '/'");
    }
    Parsed ip;
    try {
      ip = parseAddr(s.substring(0, slash));
    } catch (ParseException e) {
      throw prefixError(s, e.getMessage());
    }
    if (ip.bytes.length == 16 && !ip.zone.isEmpty()) {
      throw prefixError(s, "IPv6 zones cannot be present in a prefix");
    }
    String bitsStr = s.substring(slash + 1);
    if (bitsStr.length() > 1 && (bitsStr.charAt(0) < '1' || bitsStr.charAt(0) > '9')) {
      throw prefixError(s, "bad bits after slash: " + GoText.quote(bitsStr));
    }
    int bits;
    try {
      bits = atoi(bitsStr);
    } catch (NumberFormatException e) {
      throw prefixError(s, "bad bits after slash: " + GoText.quote(bitsStr));
    }
    int maxBits = ip.bytes.length == 16 ? 128 : 32;
    if (bits < 0 || bits > maxBits) {
      throw prefixError(s, "prefix length out of range");
    }
    return new ParsedPrefix(ip.bytes, bits);
  }

  /**
   * Go's {@code strconv.Atoi} (optional sign, ASCII digits, int64 range); values beyond int range are
   * clamped, which only matters for the "out of range" check that follows.
   */
  private static int atoi(String s) {
    if (s.isEmpty() || s.equals("+") || s.equals("-")) {
      throw new NumberFormatException("invalid syntax");
    }
    int start = (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
    for (int i = start; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        throw new NumberFormatException("invalid syntax");
      }
    }
    java.math.BigInteger v = new java.math.BigInteger(s.charAt(0) == '+' ? s.substring(1) : s);
    if (v.bitLength() > 63) {
      throw new NumberFormatException("value out of range");
    }
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v.longValue()));
  }

  /** The address with all bits after the first {@code bits} cleared. */
  static byte[] mask(byte[] addr, int bits) {
    byte[] out = addr.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - 8 * i));
      int m = keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff;
      out[i] = (byte) (out[i] & m);
    }
    return out;
  }
}
