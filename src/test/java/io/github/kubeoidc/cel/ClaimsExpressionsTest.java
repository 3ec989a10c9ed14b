package io.github.kubeoidc.cel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompilerLibrary;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntimeLibrary;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The library in the shape the webhook uses it: {@code claims} declared as {@code map(string, dyn)},
 * expressions as an AuthenticationConfiguration would write them, next to all of cel-java's
 * extensions the CEL environment enables.
 */
class ClaimsExpressionsTest {

  private static final Map<String, Object> CLAIMS =
      Map.of(
          "iss", "https://example.com/dex",
          "sub", "CgNqYW5lEgVsb2NhbA",
          "email", "jane@example.com",
          "email_verified", true,
          "groups", List.of("admins", "developers", "ops"),
          "ip", "10.1.2.3",
          "client_version", "v1.30.2",
          "quota", "1.5Gi",
          "scores", List.of(7L, 3L, 12L),
          "aud", List.of("kubernetes", "other"));

  static Stream<Arguments> expressions() {
    return Stream.of(
        arguments("url(claims.iss).getHost() == 'example.com'", true),
        arguments("url(claims.iss).getScheme() == 'https' && url(claims.iss).getEscapedPath() == '/dex'", true),
        arguments("isURL(claims.iss)", true),
        arguments("claims.groups.isSorted()", true),
        arguments("claims.groups.indexOf('developers')", 1L),
        arguments("claims.groups.lastIndexOf('nobody')", -1L),
        arguments("claims.groups.min()", "admins"),
        arguments("claims.scores.sum()", 22L),
        arguments("claims.scores.max() < 100", true),
        arguments("claims.email.find('@.*$') == '@example.com'", true),
        arguments("claims.email.findAll('[a-z]+')", List.of("jane", "example", "com")),
        arguments("claims.email.find('@.*$').substring(1)", "example.com"),
        arguments("cidr('10.0.0.0/8').containsIP(claims.ip)", true),
        arguments("isIP(claims.ip) && ip(claims.ip).family() == 4", true),
        arguments("semver(claims.client_version, true).isGreaterThan(semver('1.29.0'))", true),
        arguments("semver(claims.client_version, true).minor()", 30L),
        arguments("isQuantity(claims.quota) && quantity(claims.quota).isGreaterThan(quantity('1Gi'))", true),
        arguments("'%s:%s'.format([claims.iss, claims.sub])", "https://example.com/dex:CgNqYW5lEgVsb2NhbA"),
        arguments("'groups=%s'.format([claims.groups])", "groups=[\"admins\", \"developers\", \"ops\"]"),
        arguments("claims.groups.filter(g, g.find('^dev') != '').map(g, 'oidc:' + g)", List.of("oidc:developers")),
        arguments("claims.aud.exists(a, a == 'kubernetes') && claims.email_verified", true),
        arguments("has(claims.ip) ? string(ip(claims.ip)) : ''", "10.1.2.3"),
        arguments("claims.?nickname.orValue('none')", "none"),
        arguments("sets.contains(claims.groups, ['ops'])", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void evaluatesOnClaims(String expr, Object expected) throws Exception {
    assertEquals(expected, CelTestEnv.eval(expr, CLAIMS), expr);
  }

  @Test
  void compilesWithStaticResultTypes() throws Exception {
    assertEquals(SimpleType.BOOL, CelTestEnv.compile("url(claims.iss).getHost() == 'example.com'").getResultType());
    assertEquals(SimpleType.BOOL, CelTestEnv.compile("claims.groups.isSorted()").getResultType());
    assertEquals(SimpleType.STRING, CelTestEnv.compile("claims.email.find('@.*$')").getResultType());
    assertEquals(SimpleType.INT, CelTestEnv.compile("claims.groups.indexOf('x')").getResultType());
    assertEquals(
        KubernetesCelLibrary.IP_TYPE, CelTestEnv.compile("cidr('10.0.0.0/8').ip()").getResultType());
  }

  @Test
  void reportsWrongClaimTypesWhenEvaluated() throws Exception {
    CelAbstractSyntaxTree ast = CelTestEnv.compile("url(claims.iss).getHost() == 'example.com'");
    assertThrows(
        CelEvaluationException.class,
        () -> CelTestEnv.CEL.createProgram(ast).eval(Map.of("claims", Map.of("iss", 42L))));
    CelAbstractSyntaxTree sorted = CelTestEnv.compile("claims.groups.isSorted()");
    assertThrows(
        CelEvaluationException.class,
        () -> CelTestEnv.CEL.createProgram(sorted).eval(Map.of("claims", Map.of("groups", List.of(List.of())))));
  }

  @Test
  void combinesWithEveryCelJavaExtensionTheEnvironmentUses() throws Exception {
    List<Object> libs =
        List.of(
            CelExtensions.optional(),
            CelExtensions.strings(),
            CelExtensions.sets(CelTestEnv.OPTIONS),
            CelExtensions.lists(),
            CelExtensions.regex(),
            CelExtensions.comprehensions(),
            CelExtensions.math(CelTestEnv.OPTIONS),
            CelExtensions.encoders(),
            KubernetesCelLibrary.INSTANCE);
    Cel cel =
        CelFactory.standardCelBuilder()
            .setOptions(CelTestEnv.OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addCompilerLibraries(libs.stream().map(CelCompilerLibrary.class::cast).toArray(CelCompilerLibrary[]::new))
            .addRuntimeLibraries(libs.stream().map(CelRuntimeLibrary.class::cast).toArray(CelRuntimeLibrary[]::new))
            .addVar("claims", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();
    String expr =
        "claims.groups.sort().isSorted() && claims.groups.reverse().lastIndexOf('ops') == 0"
            + " && regex.extract(claims.email, '@(.*)') == optional.of('example.com')"
            + " && claims.email.find('@.*') == '@example.com'"
            + " && 'hello'.indexOf('l') == 2 && math.greatest(claims.scores) == claims.scores.max()";
    assertEquals(true, cel.createProgram(cel.compile(expr).getAst()).eval(Map.of("claims", CLAIMS)));
  }
}
