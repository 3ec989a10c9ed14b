package io.github.kubeoidc.cel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import java.util.Map;

/**
 * A real cel-java environment shaped like the webhook's: standard library and macros, cross-type
 * numeric comparisons (Kubernetes enables them), cel-java's strings, optional, sets and
 * comprehensions extensions, {@code claims} as {@code map(string, dyn)}, and the Kubernetes library.
 */
final class CelTestEnv {

  private CelTestEnv() {}

  static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).build();

  static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addCompilerLibraries(
              CelExtensions.strings(),
              CelExtensions.optional(),
              CelExtensions.sets(OPTIONS),
              CelExtensions.comprehensions(),
              KubernetesCelLibrary.INSTANCE)
          .addRuntimeLibraries(
              CelExtensions.strings(),
              CelExtensions.optional(),
              CelExtensions.sets(OPTIONS),
              CelExtensions.comprehensions(),
              KubernetesCelLibrary.INSTANCE)
          .addVar("claims", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .build();

  static CelAbstractSyntaxTree compile(String expr) throws CelValidationException {
    return CEL.compile(expr).getAst();
  }

  static Object eval(String expr) throws Exception {
    return eval(expr, Map.of());
  }

  static Object eval(String expr, Map<String, ?> claims) throws Exception {
    return CEL.createProgram(compile(expr)).eval(Map.of("claims", claims));
  }

  /** Evaluates and compares; numbers are compared with their CEL types (int is Long). */
  static void assertEvaluates(String expr, Object expected) throws Exception {
    assertEquals(expected, eval(expr), expr);
  }

  /** The expression compiles but its evaluation fails with a message containing {@code part}. */
  static void assertEvalError(String expr, String part) throws Exception {
    CelAbstractSyntaxTree ast = compile(expr);
    CelEvaluationException e =
        assertThrows(CelEvaluationException.class, () -> CEL.createProgram(ast).eval(Map.of("claims", Map.of())), expr);
    assertTrue(
        String.valueOf(e.getMessage()).contains(part) || causeContains(e, part),
        () -> expr + ": expected an error containing <" + part + "> but got <" + e.getMessage() + ">");
  }

  private static boolean causeContains(Throwable e, String part) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains(part)) {
        return true;
      }
    }
    return false;
  }

  /** The expression does not compile; the compiler's message contains {@code part}. */
  static void assertCompileError(String expr, String part) {
    CelValidationException e = assertThrows(CelValidationException.class, () -> compile(expr), expr);
    assertTrue(
        e.getMessage().contains(part),
        () -> expr + ": expected a compile error containing <" + part + "> but got <" + e.getMessage() + ">");
  }
}
