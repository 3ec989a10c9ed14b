package io.github.kubeoidc.cel;

import static io.github.kubeoidc.cel.CelTestEnv.assertCompileError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvalError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvaluates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.common.primitives.UnsignedLong;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' list library: the examples of its documentation, plus edge cases. */
class ListLibraryTest {

  static Stream<Arguments> values() {
    return Stream.of(
        // isSorted (docs)
        arguments("[1, 2, 3].isSorted()", true),
        arguments("['a', 'b', 'b', 'c'].isSorted()", true),
        arguments("[2.0, 1.0].isSorted()", false),
        arguments("[1].isSorted()", true),
        arguments("[].isSorted()", true),
        arguments("['b', 'a'].isSorted()", false),
        arguments("[false, true].isSorted()", true),
        arguments("[b'a', b'\\xff', b'b'].isSorted()", false),
        arguments("[1u, 2u].isSorted()", true),
        arguments("[duration('1s'), duration('1m')].isSorted()", true),
        arguments("[timestamp('2024-01-02T00:00:00Z'), timestamp('2024-01-01T00:00:00Z')].isSorted()", false),
        arguments("['Z', 'a', 'é', '😀'].isSorted()", true),
        // sum (docs)
        arguments("[1, 3].sum()", 4L),
        arguments("[1.0, 3.0].sum()", 4.0),
        arguments("[duration('1m'), duration('1s')].sum()", Duration.ofSeconds(61)),
        arguments("[duration('1m'), duration('1s')].sum() == duration('1m1s')", true),
        arguments("[].sum()", 0L),
        arguments("[1u, 2u].sum()", UnsignedLong.valueOf(3)),
        arguments("[-5, 2].sum()", -3L),
        // min / max (docs)
        arguments("[1, 3].min()", 1L),
        arguments("[1, 3].max()", 3L),
        arguments("[1].min()", 1L),
        arguments("([0] + []).min()", 0L),
        arguments("['b', 'c', 'a'].max()", "c"),
        arguments("[2.5, -1.0, 2.0].min()", -1.0),
        arguments("[duration('1h'), duration('1s')].min() == duration('1s')", true),
        arguments("[true, false].min()", false),
        // cross-type numbers in a dyn list, ordered as cel-go orders them
        arguments("[1, 2.5, 2u].max()", 2.5),
        arguments("[1, 2.5, 2].isSorted()", false),
        // cel-go's comparison of int with string is an error value, which Kubernetes' loop ignores
        arguments("[1, 'a'].max()", 1L),
        // indexOf / lastIndexOf (docs)
        arguments("[1, 2, 2, 3].indexOf(2)", 1L),
        arguments("['a', 'b', 'b', 'c'].lastIndexOf('b')", 2L),
        arguments("[1.0].indexOf(1.1)", -1L),
        arguments("[].indexOf('string')", -1L),
        arguments("[1, 2, 2, 3].lastIndexOf(2)", 2L),
        arguments("[[1], [2]].indexOf([2])", 1L),
        arguments("[{'a': 1}, {'b': 2}].indexOf({'b': 2})", 1L),
        arguments("dyn([1.0, 2.0]).indexOf(2)", 1L),
        // the strings extension's indexOf / lastIndexOf still work next to the list ones
        arguments("'hello'.indexOf('l')", 2L),
        arguments("'hello'.lastIndexOf('l')", 3L),
        // the documentation's own examples, on claims-like data
        arguments("['alice', 'bob'].isSorted()", true),
        arguments("[{'weight': 0.25}, {'weight': 0.75}].map(x, x.weight).sum() == 1.0", true),
        arguments(
            "[{'priority': 1}, {'priority': 2}].map(x, x.priority).max()"
                + " < [{'priority': 5}, {'priority': 3}].map(x, x.priority).min()",
            true),
        arguments("['other', 'should-be-first'].indexOf('should-be-first') == 1", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void evaluates(String expr, Object expected) throws Exception {
    assertEvaluates(expr, expected);
  }

  static Stream<Arguments> evalErrors() {
    return Stream.of(
        arguments("[].min()", "min called on empty list"),
        arguments("[].max()", "max called on empty list"),
        arguments("[9223372036854775807, 1].sum()", "integer overflow"),
        arguments("[18446744073709551615u, 1u].sum()", "unsigned integer overflow"),
        arguments("[1, 2.0].sum()", "no such overload"),
        // Kubernetes rejects these when compiling (no overload for the element type); cel-java can
        // only see the element type at run time, see KubernetesCelLibrary
        arguments("['a', 'b'].sum()", "no such overload"),
        arguments("[[1], [2]].isSorted()", "no such overload"),
        arguments("[{'a': 1}].min()", "no such overload"),
        arguments("[null].max()", "no such overload"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evalErrors")
  void failsWhenEvaluated(String expr, String message) throws Exception {
    assertEvalError(expr, message);
  }

  static Stream<Arguments> compileErrors() {
    return Stream.of(
        arguments("[1, 2].indexOf('a')", "found no matching overload for 'indexOf'"),
        arguments("[1.0].lastIndexOf(1)", "found no matching overload for 'lastIndexOf'"),
        arguments("1.isSorted()", "found no matching overload for 'isSorted'"),
        arguments("'abc'.sum()", "found no matching overload for 'sum'"),
        arguments("[1].max(2)", "found no matching overload for 'max'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileErrors")
  void doesNotCompile(String expr, String message) {
    assertCompileError(expr, message);
  }

  @Test
  void worksOnDynClaims() throws Exception {
    Map<String, Object> claims =
        Map.of("groups", List.of("admins", "devs", "ops"), "scores", List.of(3L, 1L, 2L), "weights", List.of(0.5, 0.25));
    assertEquals(true, CelTestEnv.eval("claims.groups.isSorted()", claims));
    assertEquals(1L, CelTestEnv.eval("claims.groups.indexOf('devs')", claims));
    assertEquals(6L, CelTestEnv.eval("claims.scores.sum()", claims));
    assertEquals(3L, CelTestEnv.eval("claims.scores.max()", claims));
    assertEquals(0.75, CelTestEnv.eval("claims.weights.sum()", claims));
    assertEquals("admins", CelTestEnv.eval("claims.groups.min()", claims));
  }
}
