package io.github.kubeoidc.cel;

import static io.github.kubeoidc.cel.CelTestEnv.assertCompileError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvalError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvaluates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code string.format} as cel-go's strings extension (version 2, locale en_US, the version Kubernetes
 * enables) prints: the extension's documented examples and test table.
 */
class StringFormatTest {

  static Stream<Arguments> values() {
    return Stream.of(
        arguments("'no substitution'.format([])", "no substitution"),
        arguments("'str is %s and some more'.format(['filler'])", "str is filler and some more"),
        arguments("'%% and also %%'.format([])", "% and also %"),
        arguments("'%%%s%%'.format(['text'])", "%text%"),
        arguments("'%d %d %d, %s %s %s'.format([1, 2, 3, 'A', 'B', 'C'])", "1 2 3, A B C"),
        arguments("\"this is a string: %s\\nand an integer: %d\".format([\"str\", 42])",
            "this is a string: str\nand an integer: 42"),
        arguments("\"a double substituted with %%s: %s\".format([64.2])", "a double substituted with %s: 64.2"),
        // %f: exact binary value rounded (1.2345 is 1.23449999...), thousands grouped (en_US)
        arguments("'%.3f'.format([1.2345])", "1.234"),
        arguments("'%f'.format([2.71828])", "2.718280"),
        arguments("'%f'.format([3.14])", "3.140000"),
        arguments("'%.2f'.format([1234567.891])", "1,234,567.89"),
        arguments("'%.1f'.format([-1234.56])", "-1,234.6"),
        arguments("'%.0f'.format([2.5])", "2"),
        arguments("'%.2f'.format([0.125])", "0.12"),
        arguments("'%.2f'.format([0.375])", "0.38"),
        arguments("'%.0f'.format([-0.125])", "-0"),
        arguments("'%.0f'.format([1e22])", "10,000,000,000,000,000,000,000"),
        arguments("'%.1f'.format([999.96])", "1,000.0"),
        arguments("'%f'.format(['NaN'])", "NaN"),
        arguments("'%f'.format(['Infinity'])", "∞"),
        arguments("'%f'.format(['-Infinity'])", "-∞"),
        // %e: the localized scientific form of that cel-go version
        arguments("'%e'.format([2.71828])", "2.718280\u202f×\u202f10⁰⁰"),
        arguments("'%.6e'.format([1052.032911275])", "1.052033\u202f×\u202f10⁰³"),
        arguments("'%e'.format([0.00123])", "1.230000\u202f×\u202f10⁻⁰³"),
        arguments("'%e'.format([-2.5e-10])", "-2.500000\u202f×\u202f10⁻¹⁰"),
        arguments("'%e'.format([1e100])", "1.000000\u202f×\u202f10¹⁰⁰"),
        arguments("'%.20e'.format([1052.032911275])", "     1.052033\u202f×\u202f10⁰³"),
        // that cel-go builds "%6e" for %e, a width: short results are padded
        arguments("'%e'.format(['Infinity'])", "     ∞"),
        // %b %o %x %X
        arguments("'this is 5 in binary: %b'.format([5])", "this is 5 in binary: 101"),
        arguments("'this is -5 in binary: %b'.format([-5])", "this is -5 in binary: -101"),
        arguments("'unsigned 64 in binary: %b'.format([uint(64)])", "unsigned 64 in binary: 1000000"),
        arguments("'bit set from bool: %b'.format([true])", "bit set from bool: 1"),
        arguments("'%o'.format([11])", "13"),
        arguments("'%o'.format([-11])", "-13"),
        arguments("'this is an unsigned octal: %o'.format([uint(65535)])", "this is an unsigned octal: 177777"),
        arguments("'%x is 30 in hexadecimal'.format([30])", "1e is 30 in hexadecimal"),
        arguments("'%X is 20 in hexadecimal'.format([30])", "1E is 20 in hexadecimal"),
        arguments("'%x is -30 in hexadecimal'.format([-30])", "-1e is -30 in hexadecimal"),
        arguments("'%X is 6000 in hexadecimal'.format([uint(6000)])", "1770 is 6000 in hexadecimal"),
        arguments("'%x'.format(['Hello world!'])", "48656c6c6f20776f726c6421"),
        arguments("'%X'.format(['Hello world!'])", "48656C6C6F20776F726C6421"),
        arguments("'%x'.format([b'byte string'])", "6279746520737472696e67"),
        arguments("'%x'.format([b'\\x00\\x00byte string\\x00'])", "00006279746520737472696e6700"),
        arguments("'%X'.format([b'byte string'])", "6279746520737472696E67"),
        // %s of every supported type
        arguments("'%s'.format([2.71])", "2.71"),
        arguments("'%s'.format([0.000000002])", "2e-09"),
        arguments("'%s'.format([1000000.0])", "1e+06"),
        arguments("'%s'.format([123456.0])", "123456"),
        arguments("'%s'.format([double('NaN')])", "NaN"),
        arguments("'%s'.format([double('Infinity')])", "+Inf"),
        arguments("'%s'.format([-double('Infinity')])", "-Inf"),
        arguments("'%d'.format([uint(64)])", "64"),
        arguments("'null: %s'.format([null])", "null: null"),
        arguments("'%s'.format([999999999999])", "999999999999"),
        arguments("'some bytes: %s'.format([b'xyz'])", "some bytes: xyz"),
        arguments("'type is %s'.format([type('test string')])", "type is string"),
        arguments("'%s'.format([timestamp('2023-02-03T23:31:20+00:00')])", "2023-02-03T23:31:20Z"),
        arguments("'%s'.format([timestamp('2023-02-03T23:31:20.100Z')])", "2023-02-03T23:31:20.1Z"),
        arguments("'%s'.format([duration('1h45m47s')])", "6347s"),
        arguments("'%s'.format([duration('2ns')])", "0.000000002s"),
        arguments("'true bool: %s, false bool: %s'.format([true, false])", "true bool: true, false bool: false"),
        // lists and maps print as CEL literals (Kubernetes' behaviour for %s)
        arguments("'%s'.format([[2.71]])", "[2.710000]"),
        arguments("'%s'.format([[0.000000002]])", "[0.000000]"),
        arguments("'%s'.format([[double('NaN'), double('Infinity'), -double('Infinity')]])", "[\"NaN\", \"+Inf\", \"-Inf\"]"),
        arguments("'%s'.format([['abc', 3.14, null, [9, 8, 7, 6], timestamp('2023-02-03T23:31:20Z')]])",
            "[\"abc\", 3.140000, null, [9, 8, 7, 6], timestamp(\"2023-02-03T23:31:20Z\")]"),
        arguments("'%s'.format([{'key1': b'xyz', 'key5': null, 'key2': duration('2h'), 'key4': true, 'key3': 2.71828}])",
            "{\"key1\":b\"xyz\", \"key2\":duration(\"7200s\"), \"key3\":2.718280, \"key4\":true, \"key5\":null}"),
        arguments("'map with multiple key types: %s'.format([{1: 'value1', uint(2): 'value2', true: double('NaN')}])",
            "map with multiple key types: {1:\"value1\", 2:\"value2\", true:\"NaN\"}"),
        arguments("'a map inside a list: %s'.format([[1, 2, 3, {'a': 'x', 'b': 'y', 'c': 'z'}]])",
            "a map inside a list: [1, 2, 3, {\"a\":\"x\", \"b\":\"y\", \"c\":\"z\"}]"),
        arguments("'%s'.format([['quote\"d', 'tab\\there']])", "[\"quote\\\"d\", \"tab\\there\"]"),
        arguments("'groups: %s'.format([['a', 'b']])", "groups: [\"a\", \"b\"]"),
        // no compile-time validation in Kubernetes' environment: surplus arguments are ignored
        arguments("'%s %s'.format(['abc', 'def', 'ghi'])", "abc def"),
        arguments("'%.2d'.format([7])", "7"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void evaluates(String expr, Object expected) throws Exception {
    assertEvaluates(expr, expected);
  }

  static Stream<Arguments> evalErrors() {
    return Stream.of(
        arguments("'%a'.format([1])", "could not parse formatting clause: unrecognized formatting clause \"a\""),
        arguments("'%d %d %d'.format([0, 1])", "index 2 out of range"),
        arguments("'%s %s'.format(['abc'])", "index 1 out of range"),
        arguments("'filler %'.format([1])", "unexpected end of string"),
        arguments("'filler %'.format([])", "index 0 out of range"),
        arguments("'string is %b'.format(['abc'])",
            "error during formatting: only integers and bools can be formatted as binary, was given string"),
        arguments("'%d'.format([duration('30m2s')])",
            "error during formatting: decimal clause can only be used on integers, was given google.protobuf.Duration"),
        arguments("'octal: %o'.format(['a string'])",
            "error during formatting: octal clause can only be used on integers, was given string"),
        arguments("'double is %x'.format([0.5])",
            "error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given double"),
        arguments("'double is %E'.format([0.5])", "unrecognized formatting clause \"E\""),
        arguments("'null: %d'.format([null])", "decimal clause can only be used on integers, was given null_type"),
        arguments("'null: %e'.format([null])", "scientific clause can only be used on doubles, was given null_type"),
        arguments("'null: %f'.format([null])", "fixed-point clause can only be used on doubles, was given null_type"),
        arguments("'int: %f'.format([1])", "fixed-point clause can only be used on doubles, was given int"),
        arguments("'null: %x'.format([null])", "formatted as hex, was given null_type"),
        arguments("'null: %b'.format([null])", "formatted as binary, was given null_type"),
        arguments("'double is %.34'.format([5.0])",
            "could not parse formatting clause: error while parsing precision: could not find end of precision specifier"),
        arguments("'%s'.format([ip('1.2.3.4')])",
            "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, "
                + "and timestamps, was given net.IP"),
        arguments("'%s'.format([[1, quantity('1')]])", "no formatting function for kubernetes.Quantity"),
        arguments("'%s'.format([{[1]: 2}])", "no formatting function for map key of type list"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evalErrors")
  void failsWhenEvaluated(String expr, String message) throws Exception {
    assertEvalError(expr, message);
  }

  static Stream<Arguments> compileErrors() {
    return Stream.of(
        arguments("'%s'.format('x')", "found no matching overload for 'format'"),
        arguments("1.format([1])", "found no matching overload for 'format'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileErrors")
  void doesNotCompile(String expr, String message) {
    assertCompileError(expr, message);
  }

  @Test
  void formatsDynClaims() throws Exception {
    Map<String, Object> claims = Map.of("sub", "jane", "groups", List.of("a", "b"), "n", 128L, "d", 4.5);
    assertEquals(
        "user jane in [\"a\", \"b\"] (128, 4.500)",
        CelTestEnv.eval("'user %s in %s (%d, %.3f)'.format([claims.sub, claims.groups, claims.n, claims.d])", claims));
  }
}
