package io.github.kubeoidc.cel;

import com.google.common.collect.ImmutableList;
import com.google.re2j.PatternSyntaxException;
import dev.cel.checker.CelCheckerBuilder;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.TypeParamType;
import dev.cel.compiler.CelCompilerLibrary;
import dev.cel.parser.CelMacro;
import dev.cel.parser.CelMacroExprFactory;
import dev.cel.parser.CelParserBuilder;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntimeBuilder;
import dev.cel.runtime.CelRuntimeLibrary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes' own CEL function libraries for cel-java, so that expressions behave as in
 * kube-apiserver: URLs, regex ({@code find}, {@code findAll}), lists ({@code isSorted}, {@code sum},
 * {@code min}, {@code max}, {@code indexOf}, {@code lastIndexOf}), IP addresses and CIDRs,
 * {@code string.format}, semantic versions and resource quantities.
 *
 * <p>Add it to a cel-java builder as both compiler and runtime library:
 *
 * <pre>{@code
 * CelFactory.standardCelBuilder()
 *     .addCompilerLibraries(KubernetesCelLibrary.INSTANCE)
 *     .addRuntimeLibraries(KubernetesCelLibrary.INSTANCE)
 * }</pre>
 *
 * <p>Function names, receivers, overload ids, result types, value semantics and error texts follow
 * {@code k8s.io/apiserver/pkg/cel/library} (and cel-go's strings extension for {@code format}). The
 * opaque types are {@link #URL_TYPE} ({@code kubernetes.URL}), {@link #IP_TYPE} ({@code net.IP}),
 * {@link #CIDR_TYPE} ({@code net.CIDR}), {@link #QUANTITY_TYPE} ({@code kubernetes.Quantity}) and
 * {@link #SEMVER_TYPE} ({@code kubernetes.Semver}); at run time they are {@link KubeUrl},
 * {@link IpAddress}, {@link Cidr}, {@link Quantity} and {@link Semver}, which compare with {@code ==}
 * as in Kubernetes.
 *
 * <p>Differences from Kubernetes:
 *
 * <ul>
 *   <li>The list functions are declared on {@code list(A)} for any {@code A}: cel-java dispatches
 *       overloads by Java class, and Kubernetes' per-element-type overloads would be ambiguous for
 *       {@code dyn} lists such as claims. So a list of a type that cannot be ordered or summed
 *       ({@code [[1]].isSorted()}, {@code ['a'].sum()}) fails when evaluated instead of when compiled,
 *       and {@code sum()} of an empty list is always the int {@code 0} (Kubernetes gives {@code 0u},
 *       {@code 0.0} or {@code duration('0s')} when the element type is statically known).
 *   <li>The type names ({@code net.IP}, {@code net.CIDR}, ...) are not identifiers in expressions
 *       ({@code type(x) == net.IP}); a library cannot add types to the environment's type provider.
 *       {@code type(x)} and comparing two {@code type()} results work.
 *   <li>Equality of a quantity produced by {@code add}/{@code sub} is symmetric (see {@link Quantity}).
 *   <li>Invalid regex literals in {@code find} / {@code findAll} are reported when the expression is
 *       compiled; kube-apiserver reports them when it builds the program, which it does right after
 *       compiling, so both reject the expression up front.
 * </ul>
 */
public final class KubernetesCelLibrary implements CelCompilerLibrary, CelRuntimeLibrary {

  public static final OpaqueType URL_TYPE = OpaqueType.create("kubernetes.URL");
  public static final OpaqueType IP_TYPE = OpaqueType.create("net.IP");
  public static final OpaqueType CIDR_TYPE = OpaqueType.create("net.CIDR");
  public static final OpaqueType QUANTITY_TYPE = OpaqueType.create("kubernetes.Quantity");
  public static final OpaqueType SEMVER_TYPE = OpaqueType.create("kubernetes.Semver");

  private static final CelType STRING = SimpleType.STRING;
  private static final CelType BOOL = SimpleType.BOOL;
  private static final CelType INT = SimpleType.INT;
  private static final CelType DOUBLE = SimpleType.DOUBLE;
  private static final CelType DYN = SimpleType.DYN;
  private static final TypeParamType PARAM_A = TypeParamType.create("A");
  private static final CelType LIST_A = ListType.create(PARAM_A);

  /** The one instance; the library has no state. (Declared after the types it uses.) */
  public static final KubernetesCelLibrary INSTANCE = new KubernetesCelLibrary();

  private final ImmutableList<CelFunctionDecl> declarations;
  private final ImmutableList<CelFunctionBinding> bindings;

  private KubernetesCelLibrary() {
    Decls d = new Decls();
    List<CelFunctionBinding> b = new ArrayList<>();
    urls(d, b);
    regex(d, b);
    lists(d, b);
    ip(d, b);
    cidr(d, b);
    format(d, b);
    semver(d, b);
    quantity(d, b);
    this.declarations = d.build();
    this.bindings = ImmutableList.copyOf(b);
  }

  /** The function declarations this library adds to the checker. */
  public ImmutableList<CelFunctionDecl> functionDeclarations() {
    return declarations;
  }

  /** The overload implementations this library adds to the runtime. */
  public ImmutableList<CelFunctionBinding> functionBindings() {
    return bindings;
  }

  @Override
  public void setParserOptions(CelParserBuilder parserBuilder) {
    parserBuilder.addMacros(
        CelMacro.newReceiverMacro("find", 1, KubernetesCelLibrary::checkRegexLiteral),
        CelMacro.newReceiverMacro("findAll", 1, KubernetesCelLibrary::checkRegexLiteral),
        CelMacro.newReceiverMacro("findAll", 2, KubernetesCelLibrary::checkRegexLiteral));
  }

  @Override
  public void setCheckerOptions(CelCheckerBuilder checkerBuilder) {
    checkerBuilder.addFunctionDeclarations(declarations);
  }

  @Override
  public void setRuntimeOptions(CelRuntimeBuilder runtimeBuilder) {
    runtimeBuilder.addFunctionBindings(bindings);
  }

  /**
   * Leaves {@code find}/{@code findAll} calls as they are, but reports a string-literal pattern that
   * does not compile as a compile error (kube-apiserver compiles such patterns when it builds the
   * program and rejects the expression).
   */
  private static Optional<CelExpr> checkRegexLiteral(
      CelMacroExprFactory factory, CelExpr target, ImmutableList<CelExpr> args) {
    CelExpr pattern = args.get(0);
    if (pattern.exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT
        && pattern.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
      try {
        Regexes.compile(pattern.constant().stringValue());
      } catch (PatternSyntaxException e) {
        return Optional.of(factory.reportError("invalid regular expression: %s", Regexes.describe(e)));
      }
    }
    return Optional.empty();
  }

  /** Function declarations grouped by name, so overloads of one name from several parts merge. */
  private static final class Decls {
    private final Map<String, List<CelOverloadDecl>> byName = new LinkedHashMap<>();

    void add(String function, CelOverloadDecl overload) {
      byName.computeIfAbsent(function, k -> new ArrayList<>()).add(overload);
    }

    void global(String function, String id, CelType result, CelType... params) {
      add(function, CelOverloadDecl.newGlobalOverload(id, result, params));
    }

    void member(String function, String id, CelType result, CelType... params) {
      add(function, CelOverloadDecl.newMemberOverload(id, result, params));
    }

    ImmutableList<CelFunctionDecl> build() {
      ImmutableList.Builder<CelFunctionDecl> out = ImmutableList.builder();
      byName.forEach((name, overloads) -> out.add(CelFunctionDecl.newFunctionDeclaration(name, overloads)));
      return out.build();
    }
  }

  private static CelEvaluationException evalError(IllegalArgumentException e) {
    return new CelEvaluationException(e.getMessage(), e);
  }

  // ---- URLs ----

  private static void urls(Decls d, List<CelFunctionBinding> b) {
    d.global("url", "string_to_url", URL_TYPE, STRING);
    d.member("getScheme", "url_get_scheme", STRING, URL_TYPE);
    d.member("getHost", "url_get_host", STRING, URL_TYPE);
    d.member("getHostname", "url_get_hostname", STRING, URL_TYPE);
    d.member("getPort", "url_get_port", STRING, URL_TYPE);
    d.member("getEscapedPath", "url_get_escaped_path", STRING, URL_TYPE);
    d.member("getQuery", "url_get_query", MapType.create(STRING, ListType.create(STRING)), URL_TYPE);
    d.global("isURL", "is_url_string", BOOL, STRING);

    b.add(CelFunctionBinding.from("string_to_url", String.class, s -> {
      try {
        return KubeUrl.parse(s);
      } catch (IllegalArgumentException e) {
        throw evalError(e);
      }
    }));
    b.add(CelFunctionBinding.from("url_get_scheme", KubeUrl.class, KubeUrl::scheme));
    b.add(CelFunctionBinding.from("url_get_host", KubeUrl.class, KubeUrl::host));
    b.add(CelFunctionBinding.from("url_get_hostname", KubeUrl.class, KubeUrl::hostname));
    b.add(CelFunctionBinding.from("url_get_port", KubeUrl.class, KubeUrl::port));
    b.add(CelFunctionBinding.from("url_get_escaped_path", KubeUrl.class, KubeUrl::escapedPath));
    b.add(CelFunctionBinding.from("url_get_query", KubeUrl.class, KubeUrl::query));
    b.add(CelFunctionBinding.from("is_url_string", String.class, KubeUrl::isValid));
  }

  // ---- regex ----

  private static void regex(Decls d, List<CelFunctionBinding> b) {
    d.member("find", "string_find_string", STRING, STRING, STRING);
    d.member("findAll", "string_find_all_string", ListType.create(STRING), STRING, STRING);
    d.member("findAll", "string_find_all_string_int", ListType.create(STRING), STRING, STRING, INT);

    b.add(CelFunctionBinding.from("string_find_string", String.class, String.class, Regexes::find));
    b.add(CelFunctionBinding.from(
        "string_find_all_string", String.class, String.class, (s, re) -> Regexes.findAll(s, re, -1)));
    b.add(CelFunctionBinding.from(
        "string_find_all_string_int",
        ImmutableList.of(String.class, String.class, Long.class),
        args -> Regexes.findAll((String) args[0], (String) args[1], (Long) args[2])));
  }

  // ---- lists ----

  private static void lists(Decls d, List<CelFunctionBinding> b) {
    d.member("isSorted", "list_a_is_sorted_bool", BOOL, LIST_A);
    d.member("sum", "list_a_sum_a", PARAM_A, LIST_A);
    d.member("min", "list_a_min_a", PARAM_A, LIST_A);
    d.member("max", "list_a_max_a", PARAM_A, LIST_A);
    d.member("indexOf", "list_a_index_of_int", INT, LIST_A, PARAM_A);
    d.member("lastIndexOf", "list_a_last_index_of_int", INT, LIST_A, PARAM_A);

    b.add(CelFunctionBinding.from("list_a_is_sorted_bool", List.class, Lists::isSorted));
    b.add(CelFunctionBinding.from("list_a_sum_a", List.class, Lists::sum));
    b.add(CelFunctionBinding.from("list_a_min_a", List.class, Lists::min));
    b.add(CelFunctionBinding.from("list_a_max_a", List.class, Lists::max));
    b.add(CelFunctionBinding.from("list_a_index_of_int", List.class, Object.class, Lists::indexOf));
    b.add(CelFunctionBinding.from("list_a_last_index_of_int", List.class, Object.class, Lists::lastIndexOf));
  }

  // ---- IP ----

  private static void ip(Decls d, List<CelFunctionBinding> b) {
    d.global("ip", "string_to_ip", IP_TYPE, STRING);
    d.member("family", "ip_family", INT, IP_TYPE);
    d.global("ip.isCanonical", "ip_is_canonical", BOOL, STRING);
    d.member("isUnspecified", "ip_is_unspecified", BOOL, IP_TYPE);
    d.member("isLoopback", "ip_is_loopback", BOOL, IP_TYPE);
    d.member("isLinkLocalMulticast", "ip_is_link_local_multicast", BOOL, IP_TYPE);
    d.member("isLinkLocalUnicast", "ip_is_link_local_unicast", BOOL, IP_TYPE);
    d.member("isGlobalUnicast", "ip_is_global_unicast", BOOL, IP_TYPE);
    d.global("isIP", "is_ip", BOOL, STRING);
    d.global("string", "ip_to_string", STRING, IP_TYPE);

    b.add(CelFunctionBinding.from("string_to_ip", String.class, KubernetesCelLibrary::parseIp));
    b.add(CelFunctionBinding.from("ip_family", IpAddress.class, ip -> (long) ip.family()));
    b.add(CelFunctionBinding.from("ip_is_canonical", String.class, s -> {
      try {
        return IpAddress.isCanonical(s);
      } catch (IllegalArgumentException e) {
        throw evalError(e);
      }
    }));
    b.add(CelFunctionBinding.from("ip_is_unspecified", IpAddress.class, IpAddress::isUnspecified));
    b.add(CelFunctionBinding.from("ip_is_loopback", IpAddress.class, IpAddress::isLoopback));
    b.add(CelFunctionBinding.from(
        "ip_is_link_local_multicast", IpAddress.class, IpAddress::isLinkLocalMulticast));
    b.add(CelFunctionBinding.from(
        "ip_is_link_local_unicast", IpAddress.class, IpAddress::isLinkLocalUnicast));
    b.add(CelFunctionBinding.from("ip_is_global_unicast", IpAddress.class, IpAddress::isGlobalUnicast));
    b.add(CelFunctionBinding.from("is_ip", String.class, IpAddress::isValid));
    b.add(CelFunctionBinding.from("ip_to_string", IpAddress.class, IpAddress::toString));
  }

  private static IpAddress parseIp(String s) throws CelEvaluationException {
    try {
      return IpAddress.parse(s);
    } catch (IllegalArgumentException e) {
      throw evalError(e);
    }
  }

  private static Cidr parseCidr(String s) throws CelEvaluationException {
    try {
      return Cidr.parse(s);
    } catch (IllegalArgumentException e) {
      throw evalError(e);
    }
  }

  // ---- CIDR ----

  private static void cidr(Decls d, List<CelFunctionBinding> b) {
    d.global("cidr", "string_to_cidr", CIDR_TYPE, STRING);
    d.member("containsIP", "cidr_contains_ip_string", BOOL, CIDR_TYPE, STRING);
    d.member("containsIP", "cidr_contains_ip_ip", BOOL, CIDR_TYPE, IP_TYPE);
    d.member("containsCIDR", "cidr_contains_cidr_string", BOOL, CIDR_TYPE, STRING);
    d.member("containsCIDR", "cidr_contains_cidr", BOOL, CIDR_TYPE, CIDR_TYPE);
    d.member("ip", "cidr_ip", IP_TYPE, CIDR_TYPE);
    d.member("prefixLength", "cidr_prefix_length", INT, CIDR_TYPE);
    d.member("masked", "cidr_masked", CIDR_TYPE, CIDR_TYPE);
    d.global("isCIDR", "is_cidr", BOOL, STRING);
    d.global("string", "cidr_to_string", STRING, CIDR_TYPE);

    b.add(CelFunctionBinding.from("string_to_cidr", String.class, KubernetesCelLibrary::parseCidr));
    b.add(CelFunctionBinding.from(
        "cidr_contains_ip_string", Cidr.class, String.class, (c, s) -> c.containsIp(parseIp(s))));
    b.add(CelFunctionBinding.from("cidr_contains_ip_ip", Cidr.class, IpAddress.class, Cidr::containsIp));
    b.add(CelFunctionBinding.from(
        "cidr_contains_cidr_string", Cidr.class, String.class, (c, s) -> c.containsCidr(parseCidr(s))));
    b.add(CelFunctionBinding.from("cidr_contains_cidr", Cidr.class, Cidr.class, Cidr::containsCidr));
    b.add(CelFunctionBinding.from("cidr_ip", Cidr.class, Cidr::ip));
    b.add(CelFunctionBinding.from("cidr_prefix_length", Cidr.class, c -> (long) c.prefixLength()));
    b.add(CelFunctionBinding.from("cidr_masked", Cidr.class, Cidr::masked));
    b.add(CelFunctionBinding.from("is_cidr", String.class, Cidr::isValid));
    b.add(CelFunctionBinding.from("cidr_to_string", Cidr.class, Cidr::toString));
  }

  // ---- string.format ----

  private static void format(Decls d, List<CelFunctionBinding> b) {
    d.member("format", "string_format", STRING, STRING, ListType.create(DYN));
    b.add(CelFunctionBinding.from("string_format", String.class, List.class, StringFormatter::format));
  }

  // ---- semver ----

  private static void semver(Decls d, List<CelFunctionBinding> b) {
    d.global("semver", "string_to_semver", SEMVER_TYPE, STRING);
    d.global("semver", "string_bool_to_semver", SEMVER_TYPE, STRING, BOOL);
    d.global("isSemver", "is_semver_string", BOOL, STRING);
    d.global("isSemver", "is_semver_string_bool", BOOL, STRING, BOOL);
    d.member("isGreaterThan", "semver_is_greater_than", BOOL, SEMVER_TYPE, SEMVER_TYPE);
    d.member("isLessThan", "semver_is_less_than", BOOL, SEMVER_TYPE, SEMVER_TYPE);
    d.member("compareTo", "semver_compare_to", INT, SEMVER_TYPE, SEMVER_TYPE);
    d.member("major", "semver_major", INT, SEMVER_TYPE);
    d.member("minor", "semver_minor", INT, SEMVER_TYPE);
    d.member("patch", "semver_patch", INT, SEMVER_TYPE);

    b.add(CelFunctionBinding.from("string_to_semver", String.class, s -> parseSemver(s, false)));
    b.add(CelFunctionBinding.from(
        "string_bool_to_semver", String.class, Boolean.class, KubernetesCelLibrary::parseSemver));
    b.add(CelFunctionBinding.from("is_semver_string", String.class, s -> Semver.isValid(s, false)));
    b.add(CelFunctionBinding.from("is_semver_string_bool", String.class, Boolean.class, Semver::isValid));
    b.add(CelFunctionBinding.from(
        "semver_is_greater_than", Semver.class, Semver.class, (x, y) -> x.compareTo(y) == 1));
    b.add(CelFunctionBinding.from(
        "semver_is_less_than", Semver.class, Semver.class, (x, y) -> x.compareTo(y) == -1));
    b.add(CelFunctionBinding.from(
        "semver_compare_to", Semver.class, Semver.class, (x, y) -> (long) x.compareTo(y)));
    b.add(CelFunctionBinding.from("semver_major", Semver.class, Semver::major));
    b.add(CelFunctionBinding.from("semver_minor", Semver.class, Semver::minor));
    b.add(CelFunctionBinding.from("semver_patch", Semver.class, Semver::patch));
  }

  private static Semver parseSemver(String s, boolean normalize) throws CelEvaluationException {
    try {
      return normalize ? Semver.parseNormalized(s) : Semver.parse(s);
    } catch (IllegalArgumentException e) {
      throw evalError(e);
    }
  }

  // ---- quantity ----

  private static void quantity(Decls d, List<CelFunctionBinding> b) {
    d.global("quantity", "string_to_quantity", QUANTITY_TYPE, STRING);
    d.global("isQuantity", "is_quantity_string", BOOL, STRING);
    // Kubernetes declares sign as a global function (sign(q)), though its docs show q.sign().
    d.global("sign", "quantity_sign", INT, QUANTITY_TYPE);
    d.member("isGreaterThan", "quantity_is_greater_than", BOOL, QUANTITY_TYPE, QUANTITY_TYPE);
    d.member("isLessThan", "quantity_is_less_than", BOOL, QUANTITY_TYPE, QUANTITY_TYPE);
    d.member("compareTo", "quantity_compare_to", INT, QUANTITY_TYPE, QUANTITY_TYPE);
    d.member("asApproximateFloat", "quantity_get_float", DOUBLE, QUANTITY_TYPE);
    d.member("asInteger", "quantity_get_int", INT, QUANTITY_TYPE);
    d.member("isInteger", "quantity_is_integer", BOOL, QUANTITY_TYPE);
    d.member("add", "quantity_add", QUANTITY_TYPE, QUANTITY_TYPE, QUANTITY_TYPE);
    d.member("add", "quantity_add_int", QUANTITY_TYPE, QUANTITY_TYPE, INT);
    d.member("sub", "quantity_sub", QUANTITY_TYPE, QUANTITY_TYPE, QUANTITY_TYPE);
    d.member("sub", "quantity_sub_int", QUANTITY_TYPE, QUANTITY_TYPE, INT);

    b.add(CelFunctionBinding.from("string_to_quantity", String.class, s -> {
      try {
        return Quantity.parse(s);
      } catch (IllegalArgumentException e) {
        throw evalError(e);
      }
    }));
    b.add(CelFunctionBinding.from("is_quantity_string", String.class, Quantity::isValid));
    b.add(CelFunctionBinding.from("quantity_sign", Quantity.class, q -> (long) q.sign()));
    b.add(CelFunctionBinding.from(
        "quantity_is_greater_than", Quantity.class, Quantity.class, (x, y) -> x.compareTo(y) == 1));
    b.add(CelFunctionBinding.from(
        "quantity_is_less_than", Quantity.class, Quantity.class, (x, y) -> x.compareTo(y) == -1));
    b.add(CelFunctionBinding.from(
        "quantity_compare_to", Quantity.class, Quantity.class, (x, y) -> (long) x.compareTo(y)));
    b.add(CelFunctionBinding.from("quantity_get_float", Quantity.class, Quantity::asApproximateFloat));
    b.add(CelFunctionBinding.from("quantity_get_int", Quantity.class, q -> {
      if (!q.isInteger()) {
        throw CelValues.error("cannot convert value to integer");
      }
      return q.asInt64().getAsLong();
    }));
    b.add(CelFunctionBinding.from("quantity_is_integer", Quantity.class, Quantity::isInteger));
    b.add(CelFunctionBinding.from("quantity_add", Quantity.class, Quantity.class, Quantity::add));
    b.add(CelFunctionBinding.from("quantity_add_int", Quantity.class, Long.class, Quantity::add));
    b.add(CelFunctionBinding.from("quantity_sub", Quantity.class, Quantity.class, Quantity::sub));
    b.add(CelFunctionBinding.from("quantity_sub_int", Quantity.class, Long.class, Quantity::sub));
  }
}
