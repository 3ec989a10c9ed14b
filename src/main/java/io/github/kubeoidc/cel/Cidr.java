package io.github.kubeoidc.cel;

/**
 * An IP prefix in CIDR notation, the runtime value of the CEL type {@code net.CIDR} (Kubernetes'
 * {@code cidr(<string>)}).
 *
 * <p>Parsing follows Go's {@code netip.ParsePrefix}; as in Kubernetes, the address may have bits set
 * after the prefix ({@code cidr('192.168.0.1/24')} is accepted, {@link #masked()} clears them) and
 * IPv4-mapped IPv6 addresses are rejected. Two values are equal when address and prefix length are
 * (so {@code 192.168.0.1/24} is not equal to {@code 192.168.0.0/24}).
 */
public final class Cidr {

  private final IpAddress addr;
  private final int bits;

  private Cidr(IpAddress addr, int bits) {
    this.addr = addr;
    this.bits = bits;
  }

  /**
   * Parses a prefix as Kubernetes' {@code cidr()} does.
   *
   * @throws IllegalArgumentException with Kubernetes' message when the string is not accepted
   */
  public static Cidr parse(String s) {
    NetIp.ParsedPrefix p;
    String prefix = "network address parse error during conversion from string: ";
    try {
      p = NetIp.parsePrefix(s);
    } catch (NetIp.ParseException e) {
      throw new IllegalArgumentException(prefix + prefix + e.getMessage());
    }
    if (NetIp.is4In6(p.bytes)) {
      throw new IllegalArgumentException(
          prefix + "IPv4-mapped IPv6 address " + GoText.quote(s) + " is not allowed");
    }
    return new Cidr(IpAddress.of(p.bytes), p.bits);
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

  /** The address as written (host bits kept). */
  public IpAddress ip() {
    return addr;
  }

  public int prefixLength() {
    return bits;
  }

  /** The network: the address with the bits after the prefix cleared. */
  public Cidr masked() {
    return new Cidr(IpAddress.of(NetIp.mask(addr.rawBytes(), bits)), bits);
  }

  /** Whether the address is in this network (an address of the other family never is). */
  public boolean containsIp(IpAddress ip) {
    if (ip.family() != addr.family()) {
      return false;
    }
    return java.util.Arrays.equals(NetIp.mask(ip.rawBytes(), bits), NetIp.mask(addr.rawBytes(), bits));
  }

  /**
   * Whether the other network lies within this one: same family, a prefix at least as long, and the
   * same network bits (Kubernetes' implementation after kubernetes/kubernetes#130450).
   */
  public boolean containsCidr(Cidr other) {
    if (other.addr.family() != addr.family() || other.bits < bits) {
      return false;
    }
    return java.util.Arrays.equals(
        NetIp.mask(other.addr.rawBytes(), bits), NetIp.mask(addr.rawBytes(), bits));
  }

  /** Go's {@code Prefix.String}: address as written, slash, prefix length. */
  @Override
  public String toString() {
    return addr + "/" + bits;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr && ((Cidr) o).bits == bits && ((Cidr) o).addr.equals(addr);
  }

  @Override
  public int hashCode() {
    return addr.hashCode() * 31 + bits;
  }
}
