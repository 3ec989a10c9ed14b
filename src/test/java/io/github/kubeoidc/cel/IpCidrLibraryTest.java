package io.github.kubeoidc.cel;

import static io.github.kubeoidc.cel.CelTestEnv.assertCompileError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvalError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvaluates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' IP and CIDR libraries: documented examples, Kubernetes' own test cases, Go's rules. */
class IpCidrLibraryTest {

  static Stream<Arguments> values() {
    return Stream.of(
        // ip / isIP (docs)
        arguments("isIP('127.0.0.1')", true),
        arguments("isIP('::1')", true),
        arguments("isIP('127.0.0.256')", false),
        arguments("isIP(':::1')", false),
        arguments("isIP('192.168.0.1.0')", false),
        arguments("isIP('2001:db8:::68')", false),
        arguments("isIP('01.2.3.4')", false),
        arguments("isIP('::ffff:1.2.3.4')", false),
        arguments("isIP('fe80::1%eth0')", false),
        arguments("isIP('::1.2.3.4')", true),
        arguments("isIP('1:2:3:4:5:6:7:8')", true),
        arguments("isIP('1:2:3:4:5:6:7:8:9')", false),
        arguments("isIP('')", false),
        // ip.isCanonical (docs)
        arguments("ip.isCanonical('127.0.0.1')", true),
        arguments("ip.isCanonical('2001:db8::abcd')", true),
        arguments("ip.isCanonical('2001:DB8::ABCD')", false),
        arguments("ip.isCanonical('2001:db8::0:0:0:abcd')", false),
        arguments("ip.isCanonical('2001:db8:0:0:1:0:0:1')", false),
        arguments("ip.isCanonical('2001:db8::1:0:0:1')", true),
        // family and predicates (docs)
        arguments("ip('127.0.0.1').family()", 4L),
        arguments("ip('::1').family()", 6L),
        arguments("ip('127.0.0.1').family() == 4", true),
        arguments("ip('::1').family() == 6", true),
        arguments("ip('0.0.0.0').isUnspecified()", true),
        arguments("ip('127.0.0.1').isUnspecified()", false),
        arguments("ip('::').isUnspecified()", true),
        arguments("ip('::1').isUnspecified()", false),
        arguments("ip('127.0.0.1').isLoopback()", true),
        arguments("ip('192.168.0.1').isLoopback()", false),
        arguments("ip('::1').isLoopback()", true),
        arguments("ip('2001:db8::abcd').isLoopback()", false),
        arguments("ip('224.0.0.1').isLinkLocalMulticast()", true),
        arguments("ip('224.0.1.1').isLinkLocalMulticast()", false),
        arguments("ip('ff02::1').isLinkLocalMulticast()", true),
        arguments("ip('fd00::1').isLinkLocalMulticast()", false),
        arguments("ip('169.254.169.254').isLinkLocalUnicast()", true),
        arguments("ip('192.168.0.1').isLinkLocalUnicast()", false),
        arguments("ip('fe80::1').isLinkLocalUnicast()", true),
        arguments("ip('fd80::1').isLinkLocalUnicast()", false),
        arguments("ip('192.168.0.1').isGlobalUnicast()", true),
        arguments("ip('255.255.255.255').isGlobalUnicast()", false),
        arguments("ip('2001:db8::abcd').isGlobalUnicast()", true),
        arguments("ip('ff00::1').isGlobalUnicast()", false),
        arguments("ip('0.0.0.0').isGlobalUnicast()", false),
        // string conversion and equality
        arguments("string(ip('192.168.0.1'))", "192.168.0.1"),
        arguments("string(ip('2001:DB8:0:0:0:0:0:68'))", "2001:db8::68"),
        arguments("string(ip('::1.2.3.4'))", "::102:304"),
        arguments("ip('127.0.0.1') == ip('127.0.0.1')", true),
        arguments("ip('2001:db8::68') == ip('2001:DB8:0::68')", true),
        arguments("ip('127.0.0.1') == ip('127.0.0.2')", false),
        arguments("ip('1.2.3.4') in [ip('5.6.7.8'), ip('1.2.3.4')]", true),
        arguments("type(ip('1.2.3.4')) == type(ip('::1'))", true),
        // cidr / isCIDR (docs)
        arguments("isCIDR('192.168.0.0/16')", true),
        arguments("isCIDR('::1/128')", true),
        arguments("isCIDR('192.168.0.0/33')", false),
        arguments("isCIDR('::1/129')", false),
        arguments("isCIDR('192.168.0.1/16')", true),
        arguments("isCIDR('192.168.0.0')", false),
        arguments("isCIDR('192.168.0.0/016')", false),
        arguments("isCIDR('::ffff:1.2.3.4/120')", false),
        // containsIP / containsCIDR (docs and Kubernetes' tests)
        arguments("cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))", true),
        arguments("cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))", false),
        arguments("cidr('192.168.0.0/24').containsIP('192.168.0.1')", true),
        arguments("cidr('192.168.0.0/24').containsIP('192.168.1.1')", false),
        arguments("cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))", true),
        arguments("cidr('2001:db8::/32').containsIP('2001:dc8::1')", false),
        arguments("cidr('0.0.0.0/0').containsIP('::1')", false),
        arguments("cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))", true),
        arguments("cidr('192.168.1.0/24').containsCIDR(cidr('192.168.2.0/24'))", false),
        arguments("cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')", true),
        arguments("cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')", false),
        arguments("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))", true),
        arguments("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))", false),
        arguments("cidr('192.168.0.0/16').containsCIDR('192.168.0.1/32')", true),
        arguments("cidr('2001:db8::/32').containsCIDR('2001:db8::/33')", true),
        arguments("cidr('2001:db8::/32').containsCIDR('2001:db8::/31')", false),
        arguments("cidr('0.0.0.0/0').containsCIDR('::/0')", false),
        // ip / masked / prefixLength (docs)
        arguments("cidr('192.168.0.1/24').ip() == ip('192.168.0.1')", true),
        arguments("cidr('192.168.0.1/24').ip().family()", 4L),
        arguments("cidr('::1/128').ip() == ip('::1')", true),
        arguments("cidr('::1/128').ip().family()", 6L),
        arguments("cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')", true),
        arguments("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')", true),
        arguments("cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()", true),
        arguments("cidr('192.168.0.1/24') == cidr('192.168.0.1/24').masked()", false),
        arguments("cidr('2001:db8:1::/32').masked() == cidr('2001:db8::/32')", true),
        arguments("cidr('192.168.0.0/16').prefixLength()", 16L),
        arguments("cidr('::1/128').prefixLength()", 128L),
        arguments("string(cidr('192.168.0.0/24'))", "192.168.0.0/24"),
        arguments("string(cidr('192.168.7.9/20').masked())", "192.168.0.0/20"),
        arguments("string(cidr('2001:DB8::/32'))", "2001:db8::/32"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void evaluates(String expr, Object expected) throws Exception {
    assertEvaluates(expr, expected);
  }

  static Stream<Arguments> evalErrors() {
    return Stream.of(
        // messages as in Kubernetes' ip_test.go / cidr_test.go
        arguments("ip('192.168.0.1.0')",
            "IP Address \"192.168.0.1.0\" parse error during conversion from string: "
                + "ParseAddr(\"192.168.0.1.0\"): IPv4 address too long"),
        arguments("ip('2001:db8:::68')",
            "IP Address \"2001:db8:::68\" parse error during conversion from string: ParseAddr(\"2001:db8:::68\"): "
                + "each colon-separated field must have at least one digit (at \":68\")"),
        arguments("ip.isCanonical('127.0.0.1.0')", "IPv4 address too long"),
        arguments("ip('127.0.0.256')", "IPv4 field has value >255"),
        arguments("ip('01.2.3.4')", "IPv4 field has octet with leading zero"),
        arguments("ip('fe80::1%eth0')", "IP address \"fe80::1%eth0\" with zone value is not allowed"),
        arguments("ip('::ffff:1.2.3.4')", "IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed"),
        arguments("ip('localhost')", "unable to parse IP"),
        arguments("cidr('192.168.0.0/')",
            "network address parse error during conversion from string: network address parse error during "
                + "conversion from string: netip.ParsePrefix(\"192.168.0.0/\"): bad bits after slash: \"\""),
        arguments("cidr('2001:db8::/')", "netip.ParsePrefix(\"2001:db8::/\"): bad bits after slash: \"\""),
        arguments("cidr('192.168.0.0/33')", "prefix length out of range"),
        arguments("cidr('192.168.0.0')", "no '/'"),
        arguments("cidr('::ffff:1.2.3.4/120')", "IPv4-mapped IPv6 address \"::ffff:1.2.3.4/120\" is not allowed"),
        arguments("cidr('10.0.0.0/8').containsIP('10.1')", "IPv4 address too short"),
        arguments("cidr('10.0.0.0/8').containsCIDR('10.0.0.0')", "no '/'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evalErrors")
  void failsWhenEvaluated(String expr, String message) throws Exception {
    assertEvalError(expr, message);
  }

  static Stream<Arguments> compileErrors() {
    return Stream.of(
        arguments("isIP(cidr('192.168.0.0/24'))", "found no matching overload for 'isIP' applied to '(net.CIDR)'"),
        arguments("cidr(192168)", "found no matching overload for 'cidr' applied to '(int)'"),
        arguments("ip('1.2.3.4').containsIP('1.2.3.4')", "found no matching overload for 'containsIP'"),
        arguments("ip('1.2.3.4').prefixLength()", "found no matching overload for 'prefixLength'"),
        arguments("cidr('1.2.3.0/24').family()", "found no matching overload for 'family'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileErrors")
  void doesNotCompile(String expr, String message) {
    assertCompileError(expr, message);
  }

  @Test
  void valueClassesAreUsableFromJava() {
    IpAddress ip = IpAddress.parse("2001:0db8:0000:0000:0000:ff00:0042:8329");
    assertEquals("2001:db8::ff00:42:8329", ip.toString());
    assertEquals(6, ip.family());
    Cidr net = Cidr.parse("10.1.2.3/8");
    assertEquals("10.1.2.3/8", net.toString());
    assertEquals("10.0.0.0/8", net.masked().toString());
    assertEquals(true, net.containsIp(IpAddress.parse("10.255.0.1")));
  }
}
