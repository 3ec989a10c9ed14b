package io.github.kubeoidc.cel;

import static io.github.kubeoidc.cel.CelTestEnv.assertCompileError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvalError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvaluates;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' URL library: the examples of its documentation and Go's {@code net/url} rules. */
class UrlLibraryTest {

  static Stream<Arguments> values() {
    return Stream.of(
        // url / isURL (docs)
        arguments("isURL('https://user:pass@example.com:80/path?query=val#fragment')", true),
        arguments("isURL('/absolute-path')", true),
        arguments("isURL('https://a:b:c/')", false),
        arguments("isURL('../relative-path')", false),
        arguments("isURL('')", false),
        arguments("isURL('mailto:someone@example.com')", true),
        arguments("isURL('https://exa mple.com/')", false),
        arguments("isURL('https://example.com/%zz')", false),
        arguments("isURL('https://example.com/\\x01')", false),
        arguments("url('https://user:pass@example.com:80/path?query=val#fragment').getHost()", "example.com:80"),
        // getScheme / getHost / getHostname / getPort (docs)
        arguments("url('/path').getScheme()", ""),
        arguments("url('https://example.com/').getScheme()", "https"),
        arguments("url('HTTPS://example.com/').getScheme()", "https"),
        arguments("url('https://example.com:80/').getHost()", "example.com:80"),
        arguments("url('https://example.com/').getHost()", "example.com"),
        arguments("url('https://[::1]:80/').getHost()", "[::1]:80"),
        arguments("url('https://[::1]/').getHost()", "[::1]"),
        arguments("url('/path').getHost()", ""),
        arguments("url('https://example.com:80/').getHostname()", "example.com"),
        arguments("url('https://127.0.0.1:80/').getHostname()", "127.0.0.1"),
        arguments("url('https://[::1]:80/').getHostname()", "::1"),
        arguments("url('/path').getHostname()", ""),
        arguments("url('https://example.com:80/').getPort()", "80"),
        arguments("url('https://example.com/').getPort()", ""),
        arguments("url('/path').getPort()", ""),
        // getEscapedPath (docs)
        arguments("url('https://example.com/path').getEscapedPath()", "/path"),
        arguments("url('https://example.com/path with spaces/').getEscapedPath()", "/path%20with%20spaces/"),
        arguments("url('https://example.com').getEscapedPath()", ""),
        arguments("url('https://example.com/a%2Fb').getEscapedPath()", "/a%2Fb"),
        arguments("url('https://example.com/p#frag').getEscapedPath()", "/p"),
        // getQuery (docs)
        arguments(
            "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()",
            Map.of("k1", List.of("a"), "k2", List.of("b", "c"))),
        arguments(
            "url('https://example.com/path?key with spaces=value with spaces').getQuery()",
            Map.of("key with spaces", List.of("value with spaces"))),
        arguments("url('https://example.com/path?').getQuery()", Map.of()),
        arguments("url('https://example.com/path').getQuery()", Map.of()),
        arguments("url('https://example.com/?a=1+2&b=%41&c&d=x;y').getQuery()",
            Map.of("a", List.of("1 2"), "b", List.of("A"), "c", List.of(""))),
        arguments("url('https://example.com/?a=1').getQuery()['a'][0]", "1"),
        // equality (Go URL.String())
        arguments("url('https://example.com/a') == url('https://example.com/a')", true),
        arguments("url('https://example.com/a') == url('https://example.com/b')", false),
        arguments("url('HTTPS://example.com/a') == url('https://example.com/a')", true),
        arguments("type(url('https://example.com')) == type(url('/x'))", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void evaluates(String expr, Object expected) throws Exception {
    assertEvaluates(expr, expected);
  }

  static Stream<Arguments> evalErrors() {
    return Stream.of(
        arguments("url('https://a:b:c/')",
            "URL parse error during conversion from string: parse \"https://a:b:c/\": invalid port \":c\" after host"),
        arguments("url('../relative-path')",
            "URL parse error during conversion from string: parse \"../relative-path\": invalid URI for request"),
        arguments("url('')", "empty url"),
        arguments("url('https://example.com/%zz')", "invalid URL escape \"%zz\""),
        arguments("url('https://[::1/')", "missing ']' in host"),
        arguments("url('https://ex ample.com/')", "invalid character \" \" in host name"),
        arguments("url(':foo')", "missing protocol scheme"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evalErrors")
  void failsWhenEvaluated(String expr, String message) throws Exception {
    assertEvalError(expr, message);
  }

  static Stream<Arguments> compileErrors() {
    return Stream.of(
        arguments("url(1)", "found no matching overload for 'url'"),
        arguments("isURL(b'x')", "found no matching overload for 'isURL'"),
        arguments("'https://example.com'.getHost()", "found no matching overload for 'getHost'"),
        arguments("url('https://example.com').getHost(1)", "found no matching overload for 'getHost'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileErrors")
  void doesNotCompile(String expr, String message) {
    assertCompileError(expr, message);
  }
}
