package io.github.kubeoidc.cel;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A semantic version, the runtime value of the CEL type {@code kubernetes.Semver} (Kubernetes'
 * {@code semver(<string>)}).
 *
 * <p>Parsing and ordering follow the Go library Kubernetes uses ({@code github.com/blang/semver/v4}):
 * {@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}, no leading zeros in numbers, numeric pre-release
 * identifiers order before alphanumeric ones, build metadata is ignored when comparing. Equality is
 * {@code compareTo == 0}, as in Kubernetes. Version numbers are unsigned 64-bit.
 */
public final class Semver implements Comparable<Semver> {

  /** One pre-release identifier: a number or an alphanumeric string. */
  private static final class Pre {
    final boolean numeric;
    final long num; // unsigned
    final String str;

    Pre(boolean numeric, long num, String str) {
      this.numeric = numeric;
      this.num = num;
      this.str = str;
    }

    int compareTo(Pre o) {
      if (numeric && !o.numeric) {
        return -1;
      }
      if (!numeric && o.numeric) {
        return 1;
      }
      if (numeric) {
        return Integer.signum(Long.compareUnsigned(num, o.num));
      }
      return Integer.signum(CelValues.compareCodePoints(str, o.str));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Pre && compareTo((Pre) o) == 0;
    }

    @Override
    public int hashCode() {
      return numeric ? Long.hashCode(num) : str.hashCode();
    }

    @Override
    public String toString() {
      return numeric ? Long.toUnsignedString(num) : str;
    }
  }

  private static final String NUMBERS = "0123456789";
  private static final String ALPHANUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-" + NUMBERS;

  private final long major;
  private final long minor;
  private final long patch;
  private final List<Pre> pre;
  private final List<String> build;

  private Semver(long major, long minor, long patch, List<Pre> pre, List<String> build) {
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = Collections.unmodifiableList(pre);
    this.build = Collections.unmodifiableList(build);
  }

  /**
   * Parses a strict semantic version ({@code semver(<string>)}).
   *
   * @throws IllegalArgumentException with the Go library's message
   */
  public static Semver parse(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("Version string empty");
    }
    String[] parts = s.split("\\.", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("No Major.Minor.Patch elements found");
    }
    long major = number(parts[0], "major", "Major");
    long minor = number(parts[1], "minor", "Minor");

    String patchStr = parts[2];
    List<String> buildParts = new ArrayList<>();
    List<String> preParts = new ArrayList<>();
    int plus = patchStr.indexOf('+');
    if (plus != -1) {
      Collections.addAll(buildParts, patchStr.substring(plus + 1).split("\\.", -1));
      patchStr = patchStr.substring(0, plus);
    }
    int dash = patchStr.indexOf('-');
    if (dash != -1) {
      Collections.addAll(preParts, patchStr.substring(dash + 1).split("\\.", -1));
      patchStr = patchStr.substring(0, dash);
    }
    long patch = number(patchStr, "patch", "Patch");

    List<Pre> pre = new ArrayList<>();
    for (String p : preParts) {
      pre.add(preRelease(p));
    }
    for (String b : buildParts) {
      if (b.isEmpty()) {
        throw new IllegalArgumentException("Build meta data is empty");
      }
      if (!containsOnly(b, ALPHANUM)) {
        throw new IllegalArgumentException(
            "Invalid character(s) found in build meta data " + GoText.quote(b));
      }
    }
    return new Semver(major, minor, patch, pre, buildParts);
  }

  /**
   * Parses with Kubernetes' normalization ({@code semver(<string>, true)}): drops a leading {@code v},
   * leading zeros, and fills in a missing minor or patch number with 0.
   */
  public static Semver parseNormalized(String s) {
    if (s.startsWith("v")) {
      s = s.substring(1);
    }
    List<String> parts = new ArrayList<>(List.of(s.split("\\.", 3)));
    if (s.isEmpty()) {
      parts = new ArrayList<>(List.of(""));
    }
    for (int i = 0; i < parts.size(); i++) {
      String p = parts.get(i);
      if (p.length() > 1) {
        p = p.replaceFirst("^0+", "");
        if (p.isEmpty() || NUMBERS.indexOf(p.charAt(0)) < 0) {
          p = "0" + p;
        }
        parts.set(i, p);
      }
    }
    if (parts.size() < 3) {
      String last = parts.get(parts.size() - 1);
      if (last.contains("+") || last.contains("-")) {
        throw new IllegalArgumentException("short version cannot contain PreRelease/Build meta data");
      }
      while (parts.size() < 3) {
        parts.add("0");
      }
    }
    return parse(String.join(".", parts));
  }

  /** Whether {@link #parse} (or, with {@code normalize}, {@link #parseNormalized}) accepts it. */
  public static boolean isValid(String s, boolean normalize) {
    try {
      if (normalize) {
        parseNormalized(s);
      } else {
        parse(s);
      }
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static long number(String s, String lower, String upper) {
    if (!containsOnly(s, NUMBERS)) {
      throw new IllegalArgumentException(
          "Invalid character(s) found in " + lower + " number " + GoText.quote(s));
    }
    if (s.length() > 1 && s.charAt(0) == '0') {
      throw new IllegalArgumentException(upper + " number must not contain leading zeroes " + GoText.quote(s));
    }
    return parseUint(s);
  }

  private static Pre preRelease(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("Prerelease is empty");
    }
    if (containsOnly(s, NUMBERS)) {
      if (s.length() > 1 && s.charAt(0) == '0') {
        throw new IllegalArgumentException(
            "Numeric PreRelease version must not contain leading zeroes " + GoText.quote(s));
      }
      return new Pre(true, parseUint(s), null);
    }
    if (containsOnly(s, ALPHANUM)) {
      return new Pre(false, 0, s);
    }
    throw new IllegalArgumentException("Invalid character(s) found in prerelease " + GoText.quote(s));
  }

  /** Go's {@code strconv.ParseUint(s, 10, 64)} for a string of ASCII digits. */
  private static long parseUint(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("strconv.ParseUint: parsing " + GoText.quote(s) + ": invalid syntax");
    }
    BigInteger v = new BigInteger(s);
    if (v.bitLength() > 64) {
      throw new IllegalArgumentException("strconv.ParseUint: parsing " + GoText.quote(s) + ": value out of range");
    }
    return v.longValue();
  }

  private static boolean containsOnly(String s, String set) {
    for (int i = 0; i < s.length(); i++) {
      if (set.indexOf(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The major number; as in Kubernetes, numbers above int64 wrap when read as a CEL int. */
  public long major() {
    return major;
  }

  public long minor() {
    return minor;
  }

  public long patch() {
    return patch;
  }

  /** Orders as blang/semver's {@code Version.Compare}: -1, 0 or 1. */
  @Override
  public int compareTo(Semver o) {
    int c = Long.compareUnsigned(major, o.major);
    if (c == 0) {
      c = Long.compareUnsigned(minor, o.minor);
    }
    if (c == 0) {
      c = Long.compareUnsigned(patch, o.patch);
    }
    if (c != 0) {
      return Integer.signum(c);
    }
    if (pre.isEmpty() || o.pre.isEmpty()) {
      return pre.isEmpty() == o.pre.isEmpty() ? 0 : (pre.isEmpty() ? 1 : -1);
    }
    int i = 0;
    for (; i < pre.size() && i < o.pre.size(); i++) {
      int pc = pre.get(i).compareTo(o.pre.get(i));
      if (pc != 0) {
        return pc;
      }
    }
    if (i == pre.size() && i == o.pre.size()) {
      return 0;
    }
    return i == pre.size() ? -1 : 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Semver && compareTo((Semver) o) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(major, minor, patch, pre);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder()
        .append(Long.toUnsignedString(major)).append('.')
        .append(Long.toUnsignedString(minor)).append('.')
        .append(Long.toUnsignedString(patch));
    if (!pre.isEmpty()) {
      b.append('-');
      for (int i = 0; i < pre.size(); i++) {
        b.append(i > 0 ? "." : "").append(pre.get(i));
      }
    }
    if (!build.isEmpty()) {
      b.append('+').append(String.join(".", build));
    }
    return b.toString();
  }
}
