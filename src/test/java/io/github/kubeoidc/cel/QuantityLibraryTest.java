package io.github.kubeoidc.cel;

import static io.github.kubeoidc.cel.CelTestEnv.assertCompileError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvalError;
import static io.github.kubeoidc.cel.CelTestEnv.assertEvaluates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.math.BigDecimal;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' quantity library: its documented examples and tests, and resource.Quantity's rules. */
class QuantityLibraryTest {

  static Stream<Arguments> values() {
    return Stream.of(
        // isQuantity (docs and tests)
        arguments("isQuantity('1.3G')", true),
        arguments("isQuantity('1.3Gi')", true),
        arguments("isQuantity('1,3G')", false),
        arguments("isQuantity('10000k')", true),
        arguments("isQuantity('200K')", false),
        arguments("isQuantity('Three')", false),
        // the library's doc comment says 'Mi' is an error, but resource.ParseQuantity reads an empty
        // number as 0 and accepts it (as it accepts a lone sign); kube-apiserver follows the code
        arguments("isQuantity('Mi')", true),
        arguments("isQuantity('20')", true),
        arguments("isQuantity('20M')", true),
        arguments("isQuantity('20Mi')", true),
        arguments("isQuantity('20Mo')", false),
        arguments("isQuantity('10Mm')", false),
        arguments("isQuantity('')", false),
        arguments("isQuantity('1e3')", true),
        arguments("isQuantity('1e+3')", true),
        arguments("isQuantity('1e')", false),
        arguments("isQuantity('1ki')", false),
        arguments("isQuantity('1.5.5')", false),
        arguments("isQuantity('-')", true),
        // resource.Quantity's own invalid inputs
        arguments("isQuantity('1.1.M')", false),
        arguments("isQuantity('1+1.0M')", false),
        arguments("isQuantity('0.1mi')", false),
        arguments("isQuantity('0.1am')", false),
        arguments("isQuantity('aoeu')", false),
        arguments("isQuantity('.5i')", false),
        arguments("isQuantity('1i')", false),
        arguments("isQuantity('-3.01i')", false),
        arguments("isQuantity('-3.01e-')", false),
        arguments("isQuantity(' 1')", false),
        arguments("isQuantity('1 ')", false),
        arguments("isQuantity('1.')", true),
        arguments("isQuantity('.001')", true),
        arguments("isQuantity('0.000000000001Ki')", true),
        // Go wraps this exponent around int32 and builds an absurdly large number; refused here
        arguments("isQuantity('1e-2147483648')", false),
        arguments("quantity('Mi') == quantity('0')", true),
        // values and equality
        arguments("quantity('12Mi') == quantity('12582912')", true),
        arguments("quantity('200M') == quantity('200M')", true),
        arguments("quantity('200M') == quantity('0.2G') && quantity('0.2G') == quantity('200M')", true),
        arguments("quantity('2M') == quantity('0.002G') && quantity('2000k') == quantity('2M')"
            + " && quantity('0.002G') == quantity('2000k')", true),
        arguments("quantity('200M') == quantity('0.3G')", false),
        arguments("quantity('1e3') == quantity('1k')", true),
        arguments("quantity('5e-3') == quantity('5m')", true),
        arguments("quantity('.5') == quantity('500m')", true),
        arguments("quantity('1.G') == quantity('1G')", true),
        arguments("quantity('0.1n') == quantity('1n')", true), // rounded up to nano units
        arguments("quantity('-0.1n') == quantity('-1n')", true),
        arguments("quantity('16Ei') == quantity('9223372036854775807')", true), // binary values are capped
        arguments("quantity('-') == quantity('0')", true),
        // comparisons (docs and tests)
        arguments("quantity('50M').isLessThan(quantity('50Mi'))", true),
        arguments("quantity('50M').isLessThan(quantity('100M'))", true),
        arguments("quantity('100M').isLessThan(quantity('50M'))", false),
        arguments("quantity('50Mi').isGreaterThan(quantity('50M'))", true),
        arguments("quantity('150Mi').isGreaterThan(quantity('100Mi'))", true),
        arguments("quantity('50Mi').isGreaterThan(quantity('100Mi'))", false),
        arguments("quantity('50M').isGreaterThan(quantity('100M'))", false),
        arguments("quantity('200M').compareTo(quantity('0.2G'))", 0L),
        arguments("quantity('50M').compareTo(quantity('50Mi'))", -1L),
        arguments("quantity('50Mi').compareTo(quantity('50M'))", 1L),
        // arithmetic (docs and tests)
        arguments("quantity('50k').add(quantity('20')) == quantity('50.02k')", true),
        arguments("quantity('50k').add(20) == quantity('50020')", true),
        arguments("quantity('50k').add(20).isLessThan(quantity('50020'))", false),
        arguments("quantity('50k').sub(quantity('20')) == quantity('49.98k')", true),
        arguments("quantity('50k').sub(quantity('20k')) == quantity('30k')", true),
        arguments("quantity('50k').sub(20) == quantity('49980')", true),
        arguments("quantity('50k').sub(20000) == quantity('30k')", true),
        arguments("quantity('50k').add(20).sub(quantity('100k')).sub(-50000) == quantity('20')", true),
        arguments("quantity('50k').add(20).sub(quantity('100k')).asInteger()", -49980L),
        arguments("quantity('50k').add(20).sub(quantity('100k')).sub(-50000).asInteger()", 20L),
        arguments("quantity('1.5Gi').add(quantity('512Mi')) == quantity('2Gi')", true),
        // scalars (docs and tests)
        arguments("quantity('50000000G').isInteger()", true),
        arguments("quantity('50k').isInteger()", true),
        arguments("quantity('500000G').isInteger()", true),
        arguments("quantity('9999999999999999999999999999999999999G').isInteger()", false),
        arguments("quantity('50').isInteger()", true),
        arguments("quantity('1Gi').isInteger()", true),
        // isInteger depends on resource.Quantity's internal form, as in Kubernetes
        arguments("quantity('1.0').isInteger()", false),
        arguments("quantity('1000m').isInteger()", false),
        arguments("quantity('1.5Gi').isInteger()", false),
        arguments("quantity('0').sub(quantity('1')).isInteger()", true),
        arguments("quantity('1.5Gi').sub(quantity('0.5Gi')).isInteger()", false),
        arguments("quantity('50k').asInteger()", 50000L),
        arguments("quantity('50k').asInteger() == 50000", true),
        arguments("quantity('1Ki').asInteger()", 1024L),
        arguments("quantity('50.703k').asApproximateFloat()", 50703.0),
        arguments("quantity('50k').sub(20000).asApproximateFloat() == 30000.0", true),
        arguments("quantity('1.5').asApproximateFloat()", 1.5),
        arguments("quantity('100m').asApproximateFloat()", 0.1),
        arguments("quantity('9999999999999999999999999999999999999G').asApproximateFloat() > 9.9e45", true),
        // sign is declared as a global function in Kubernetes
        arguments("sign(quantity('50k'))", 1L),
        arguments("sign(quantity('-50k'))", -1L),
        arguments("sign(quantity('0'))", 0L),
        arguments("sign(quantity('1n'))", 1L),
        arguments("type(quantity('1')) == type(quantity('2'))", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void evaluates(String expr, Object expected) throws Exception {
    assertEvaluates(expr, expected);
  }

  static Stream<Arguments> evalErrors() {
    return Stream.of(
        arguments("quantity('10Mo')", "quantities must match the regular expression"),
        arguments("quantity('10Mm')", "unable to parse quantity's suffix"),
        arguments("quantity('200K')", "unable to parse quantity's suffix"),
        arguments("quantity('Three')", "quantities must match the regular expression"),
        arguments("quantity('aoeu')", "quantities must match the regular expression"),
        arguments("quantity('1i')", "unable to parse quantity's suffix"),
        arguments("quantity('')", "quantities must match the regular expression"),
        arguments("quantity('9999999999999999999999999999999999999G').asInteger()", "cannot convert value to integer"),
        arguments("quantity('0.5').asInteger()", "cannot convert value to integer"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evalErrors")
  void failsWhenEvaluated(String expr, String message) throws Exception {
    assertEvalError(expr, message);
  }

  static Stream<Arguments> compileErrors() {
    return Stream.of(
        arguments("isQuantity([1, 2, 3])", "found no matching overload for 'isQuantity'"),
        arguments("quantity(1)", "found no matching overload for 'quantity'"),
        // the documentation writes q.sign() and q.add("20k"); neither compiles in Kubernetes
        arguments("quantity('1').sign()", "found no matching overload for 'sign'"),
        arguments("quantity('50k').add('20k')", "found no matching overload for 'add'"),
        arguments("quantity('1').add(1.5)", "found no matching overload for 'add'"),
        arguments("quantity('1').isLessThan(1)", "found no matching overload for 'isLessThan'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileErrors")
  void doesNotCompile(String expr, String message) {
    assertCompileError(expr, message);
  }

  @Test
  void parsesLikeResourceQuantity() {
    assertEquals(new BigDecimal("1610612736"), Quantity.parse("1.5Gi").toBigDecimal().stripTrailingZeros());
    assertEquals(0, new BigDecimal("0.000000001").compareTo(Quantity.parse("1n").toBigDecimal()));
    assertEquals(0, new BigDecimal("1E+100").compareTo(Quantity.parse("1e100").toBigDecimal()));
    assertTrue(Quantity.parse("-5").sign() < 0);
    assertFalse(Quantity.isValid("1.2.3"));
    assertEquals(Quantity.parse("1k"), Quantity.of(1000));
    assertEquals(Quantity.parse("1k").hashCode(), Quantity.of(1000).hashCode());
  }
}
