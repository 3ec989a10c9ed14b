package io.github.kubeoidc.cel;

import static io.github.kubeoidc.cel.CelTestEnv.assertCompileError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvalError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvaluates;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' semver library (version 1, with normalization): its documented examples and tests. */
class SemverLibraryTest {

  static Stream<Arguments> values() {
    return Stream.of(
        arguments("isSemver('1.0.0')", true),
        arguments("isSemver('hello')", false),
        arguments("isSemver('v1.0')", false),
        arguments("isSemver('1.2.3-beta.1+build.1')", true),
        arguments("isSemver('')", false),
        arguments("isSemver('v1.0.0')", false),
        arguments("isSemver(' 1.0.0')", false),
        arguments("isSemver('1. 0.0')", false),
        arguments("isSemver('1.0.0 ')", false),
        arguments("isSemver('01.01.01')", false),
        arguments("isSemver('1')", false),
        arguments("isSemver('1.1')", false),
        arguments("isSemver('1.0.0-01')", false),
        arguments("isSemver('1.0.0-alpha..1')", false),
        arguments("isSemver('1.0.0+')", false),
        arguments("isSemver('18446744073709551616.0.0')", false),
        // normalization (version 1)
        arguments("isSemver('', true)", false),
        arguments("isSemver(' 1.0.0', true)", false),
        arguments("isSemver('1. 0.0', true)", false),
        arguments("isSemver('1.0.0 ', true)", false),
        arguments("isSemver('v1.0.0', true)", true),
        arguments("isSemver('v1.0', true)", true),
        arguments("isSemver('01.01.01', true)", true),
        arguments("isSemver('1', true)", true),
        arguments("isSemver('1.1', true)", true),
        arguments("isSemver('1.1-alpha', true)", false),
        arguments("semver('v1.0.0', true) == semver('1.0.0')", true),
        arguments("semver('1.0', true) == semver('1.0.0')", true),
        arguments("semver('01.01.01', true) == semver('1.1.1')", true),
        arguments("semver('v01.01', true) == semver('1.1.0')", true),
        // equality and ordering (build metadata is ignored)
        arguments("semver('1.2.3') == semver('1.2.3')", true),
        arguments("semver('1.2.3') == semver('1.0.0')", false),
        arguments("semver('1.2.3+build.1') == semver('1.2.3+build.2')", true),
        arguments("semver('1.0.0').isLessThan(semver('1.2.3'))", true),
        arguments("semver('1.0.0').isLessThan(semver('1.0.0'))", false),
        arguments("semver('1.2.3').isGreaterThan(semver('1.0.0'))", true),
        arguments("semver('1.0.0').isGreaterThan(semver('1.0.0'))", false),
        arguments("semver('1.2.3').compareTo(semver('1.2.3'))", 0L),
        arguments("semver('1.2.3').compareTo(semver('2.0.0'))", -1L),
        arguments("semver('1.2.3').compareTo(semver('0.1.2'))", 1L),
        arguments("semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", true),
        arguments("semver('1.0.0-alpha').isLessThan(semver('1.0.0-alpha.1'))", true),
        arguments("semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))", true),
        arguments("semver('1.0.0-beta.2').isLessThan(semver('1.0.0-beta.11'))", true),
        arguments("semver('1.0.0-rc.1').isLessThan(semver('1.0.0'))", true),
        arguments("semver('0.1.0-alpha.1').major()", 0L),
        arguments("semver('1.2.3').major()", 1L),
        arguments("semver('1.2.3').minor()", 2L),
        arguments("semver('1.2.3').patch()", 3L),
        arguments("semver('1.30.2').minor() >= 30", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void evaluates(String expr, Object expected) throws Exception {
    assertEvaluates(expr, expected);
  }

  static Stream<Arguments> evalErrors() {
    return Stream.of(
        arguments("semver('v1.0')", "No Major.Minor.Patch elements found"),
        arguments("semver('200K')", "No Major.Minor.Patch elements found"),
        arguments("semver('Three')", "No Major.Minor.Patch elements found"),
        arguments("semver('')", "Version string empty"),
        arguments("semver('01.0.0')", "Major number must not contain leading zeroes \"01\""),
        arguments("semver('1.x.0')", "Invalid character(s) found in minor number \"x\""),
        arguments("semver('1.0.0-')", "Prerelease is empty"),
        arguments("semver('1.0.0-a_b')", "Invalid character(s) found in prerelease \"a_b\""),
        arguments("semver('1.0.0+a..b')", "Build meta data is empty"),
        arguments("semver('1.1-beta', true)", "short version cannot contain PreRelease/Build meta data"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evalErrors")
  void failsWhenEvaluated(String expr, String message) throws Exception {
    assertEvalError(expr, message);
  }

  static Stream<Arguments> compileErrors() {
    return Stream.of(
        arguments("isSemver([1, 2, 3])", "found no matching overload for 'isSemver'"),
        arguments("semver('1.0.0', 'yes')", "found no matching overload for 'semver'"),
        arguments("semver('1.0.0').isLessThan('2.0.0')", "found no matching overload for 'isLessThan'"),
        arguments("semver('1.0.0').compareTo(quantity('1'))", "found no matching overload for 'compareTo'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileErrors")
  void doesNotCompile(String expr, String message) {
    assertCompileError(expr, message);
  }
}
