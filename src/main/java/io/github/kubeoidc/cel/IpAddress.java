package io.github.kubeoidc.cel;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 address, the runtime value of the CEL type {@code net.IP} (Kubernetes'
 * {@code ip(<string>)}).
 *
 * <p>Parsing follows Go's {@code netip.ParseAddr} (no leading zeros in IPv4 octets, at most four hex
 * digits per IPv6 group, an embedded IPv4 only in the last 32 bits), and, as Kubernetes does, rejects
 * zones ({@code fe80::1%eth0}) and IPv4-mapped IPv6 addresses ({@code ::ffff:1.2.3.4}). Values are
 * immutable and compare equal when they are the same address.
 */
public final class IpAddress {

  private final byte[] bytes; // 4 bytes (IPv4) or 16 bytes (IPv6)

  private IpAddress(byte[] bytes) {
    this.bytes = bytes;
  }

  static IpAddress of(byte[] bytes) {
    if (bytes.length != 4 && bytes.length != 16) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes");
    }
    return new IpAddress(bytes.clone());
  }

  /**
   * Parses an address as Kubernetes' {@code ip()} does.
   *
   * @throws IllegalArgumentException with Kubernetes' message when the string is not accepted
   */
  public static IpAddress parse(String s) {
    NetIp.Parsed p;
    try {
      p = NetIp.parseAddr(s);
    } catch (NetIp.ParseException e) {
      throw new IllegalArgumentException(
          "IP Address " + GoText.quote(s) + " parse error during conversion from string: " + e.getMessage());
    }
    if (!p.zone.isEmpty()) {
      throw new IllegalArgumentException("IP address " + GoText.quote(s) + " with zone value is not allowed");
    }
    if (NetIp.is4In6(p.bytes)) {
      throw new IllegalArgumentException("IPv4-mapped IPv6 address " + GoText.quote(s) + " is not allowed");
    }
    return new IpAddress(p.bytes);
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

  /** Whether the string is an accepted address written in its canonical form. */
  public static boolean isCanonical(String s) {
    return parse(s).toString().equals(s);
  }

  /** 4 or 6. */
  public int family() {
    return bytes.length == 4 ? 4 : 6;
  }

  public boolean is4() {
    return bytes.length == 4;
  }

  /** A copy of the 4 or 16 address bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  byte[] rawBytes() {
    return bytes;
  }

  private int u8(int i) {
    return bytes[i] & 0xff;
  }

  /** 0.0.0.0 or ::. */
  public boolean isUnspecified() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** 127.0.0.0/8 or ::1. */
  public boolean isLoopback() {
    if (is4()) {
      return u8(0) == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[15] == 1;
  }

  /** 224.0.0.0/24 or ff02::/16 (link-local scope), as Go's {@code Addr.IsLinkLocalMulticast}. */
  public boolean isLinkLocalMulticast() {
    if (is4()) {
      return u8(0) == 224 && u8(1) == 0 && u8(2) == 0;
    }
    return u8(0) == 0xff && (u8(1) & 0x0f) == 0x02;
  }

  /** 169.254.0.0/16 or fe80::/10. */
  public boolean isLinkLocalUnicast() {
    if (is4()) {
      return u8(0) == 169 && u8(1) == 254;
    }
    return u8(0) == 0xfe && (u8(1) & 0xc0) == 0x80;
  }

  /** Multicast: 224.0.0.0/4 or ff00::/8. */
  public boolean isMulticast() {
    if (is4()) {
      return (u8(0) & 0xf0) == 0xe0;
    }
    return u8(0) == 0xff;
  }

  /**
   * As Go's {@code Addr.IsGlobalUnicast}: not unspecified, not 255.255.255.255, not loopback, multicast
   * or link-local unicast (private ranges count as global unicast).
   */
  public boolean isGlobalUnicast() {
    if (is4()) {
      boolean broadcast = u8(0) == 255 && u8(1) == 255 && u8(2) == 255 && u8(3) == 255;
      if (isUnspecified() || broadcast) {
        return false;
      }
    }
    return !isUnspecified() && !isLoopback() && !isMulticast() && !isLinkLocalUnicast();
  }

  /** The canonical text (Go's {@code Addr.String}): dotted quad, or RFC 5952 IPv6. */
  @Override
  public String toString() {
    return NetIp.format(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddress && Arrays.equals(bytes, ((IpAddress) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
