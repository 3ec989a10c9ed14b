package io.github.kubeoidc.cel;

import static io.github.kubeoidc.cel.CelTestEnv.assertCompileError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvalError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvaluates;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kubernetes' regex library. Results are Go's {@code regexp.FindString} / {@code FindAllString}: the
 * documentation's comments for {@code '[0-9]*'} show '123' and ['123', '456'], but the leftmost match
 * of {@code [0-9]*} in "abc 123" is the empty string at 0, and Go's findAll keeps empty matches that do
 * not touch the previous match; kube-apiserver returns what Go returns, and so does this library.
 */
class RegexLibraryTest {

  static Stream<Arguments> values() {
    return Stream.of(
        arguments("\"abc 123\".find('[0-9]+')", "123"),
        arguments("\"abc 123\".find('[0-9]*')", ""),
        arguments("\"abc 123\".find('xyz')", ""),
        arguments("\"123 abc 456\".findAll('[0-9]+')", List.of("123", "456")),
        arguments("\"123 abc 456\".findAll('[0-9]*')", List.of("123", "", "", "", "", "456")),
        arguments("\"123 abc 456\".findAll('[0-9]*', 1)", List.of("123")),
        arguments("\"123 abc 456\".findAll('[0-9]+', 0)", List.of()),
        arguments("\"123 abc 456\".findAll('[0-9]+', -1)", List.of("123", "456")),
        arguments("\"123 abc 456\".findAll('xyz')", List.of()),
        arguments("\"1, 2, 3, 4\".findAll('[0-9]+').map(x, int(x)).sum() < 100", true),
        arguments("'aaa'.findAll('^a')", List.of("a")),
        arguments("'aaa'.findAll('a')", List.of("a", "a", "a")),
        arguments("'héllo wörld'.findAll('[^ ]+')", List.of("héllo", "wörld")),
        arguments("'😀😀'.findAll('').size()", 3L),
        arguments("'user@example.com'.find('@.*$')", "@example.com"),
        arguments("'a1b22c333'.findAll('[0-9]+', 2)", List.of("1", "22")),
        arguments("'ABC'.find('(?i)b')", "B"),
        arguments("'x=1;y=2'.findAll('[a-z]=\\\\d')", List.of("x=1", "y=2")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void evaluates(String expr, Object expected) throws Exception {
    assertEvaluates(expr, expected);
  }

  static Stream<Arguments> evalErrors() {
    return Stream.of(
        arguments("'abc'.find('[' + '')", "Illegal regex: error parsing regexp: missing closing ]"),
        arguments("'abc'.findAll('(' + '')", "Illegal regex: error parsing regexp: missing closing )"),
        arguments("'abc'.findAll('a(' + '', 3)", "Illegal regex"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evalErrors")
  void failsWhenEvaluated(String expr, String message) throws Exception {
    assertEvalError(expr, message);
  }

  static Stream<Arguments> compileErrors() {
    return Stream.of(
        // kube-apiserver compiles literal patterns when it builds the program and rejects them there
        arguments("'abc'.find('[')", "invalid regular expression: error parsing regexp: missing closing ]"),
        arguments("'abc'.findAll('(')", "invalid regular expression"),
        arguments("'abc'.findAll('a**', 2)", "invalid regular expression"),
        arguments("'abc'.find(1)", "found no matching overload for 'find'"),
        arguments("1.find('a')", "found no matching overload for 'find'"),
        arguments("'abc'.findAll('a', 'b')", "found no matching overload for 'findAll'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileErrors")
  void doesNotCompile(String expr, String message) {
    assertCompileError(expr, message);
  }
}
