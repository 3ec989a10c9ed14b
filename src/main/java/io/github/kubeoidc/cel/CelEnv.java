package io.github.kubeoidc.cel;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompilerLibrary;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelRuntimeLibrary;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CEL environment of Kubernetes' structured authentication configuration, built once and immutable
 * (so thread-safe). Variables: {@code claims} ({@code map(string, dyn)}; a JSON integer that fits in 64 bits
 * is an {@code int} and any other number a {@code double}, as Kubernetes converts them) and {@code user}
 * ({@code username}, {@code uid}, {@code groups}, {@code extra}).
 *
 * <p>Libraries, as Kubernetes offers them: standard macros ({@code has}, {@code all}, {@code exists},
 * {@code exists_one}, {@code map}, {@code filter}), optional types ({@code claims.?x.orValue(y)}), strings,
 * sets, lists, regex, two-variable comprehensions, and Kubernetes' own libraries ({@link KubernetesCelLibrary}:
 * URLs, regex find/findAll, list helpers, IP and CIDR, format, semver, quantity).
 */
public final class CelEnv {
  /** Kubernetes' per-expression evaluation cost limit for authentication expressions. */
  public static final long COST_LIMIT = 1_000_000;

  /**
   * A backstop only. cel-java counts comprehension iterations across a whole evaluation, not per
   * comprehension, so a small budget would refuse nested comprehensions Kubernetes accepts (two lists of
   * 150 are 22,500 iterations) and pre-empt the cost limit's error. Every iteration costs at least one
   * unit on the meter in {@link #evaluate}, so the cost limit always trips first.
   */
  static final int MAX_ITERATIONS = (int) COST_LIMIT;

  /** What an expression reads. */
  public enum Scope {
    /** claimValidationRules, claimMappings: {@code claims}. */
    CLAIMS,
    /** userValidationRules: {@code user}. */
    USER
  }

  private static final StructType USER_TYPE = StructType.create("kubernetes.UserInfo",
      ImmutableSet.of("username", "uid", "groups", "extra"),
      f -> switch (f) {
        case "username", "uid" -> Optional.of(SimpleType.STRING);
        case "groups" -> Optional.of(ListType.create(SimpleType.STRING));
        case "extra" -> Optional.of(MapType.create(SimpleType.STRING, ListType.create(SimpleType.STRING)));
        default -> Optional.empty();
      });

  /** Escaped field names, as in Kubernetes' CEL escaping ({@code __dot__} etc.). */
  private static final Pattern ESCAPED = Pattern.compile("__(dot|dash|slash|underscores|[a-z]+)__");
  private static final Set<String> KEYWORDS = Set.of("true", "false", "null", "in", "as", "break", "const",
      "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var",
      "void", "while");

  private static final CelEnv INSTANCE = new CelEnv(List.of(KubernetesCelLibrary.INSTANCE));

  private final Cel claimsCel;
  private final Cel userCel;

  /** The shared environment. */
  public static CelEnv get() {
    return INSTANCE;
  }

  private CelEnv(List<Object> extraLibraries) {
    CelOptions options = CelOptions.current()
        .enableOptionalSyntax(true)
        .comprehensionMaxIterations(MAX_ITERATIONS)
        .enableHeterogeneousNumericComparisons(true)
        .build();
    List<CelCompilerLibrary> compilerLibs = new ArrayList<>(List.of(CelExtensions.optional(), CelExtensions.strings(),
        CelExtensions.sets(options), CelExtensions.lists(), CelExtensions.regex(), CelExtensions.comprehensions(),
        CelExtensions.encoders(options), CelExtensions.math(options, 2)));
    List<CelRuntimeLibrary> runtimeLibs = new ArrayList<>(List.of(CelExtensions.optional(), CelExtensions.strings(),
        CelExtensions.sets(options), CelExtensions.lists(), CelExtensions.regex(), CelExtensions.comprehensions(),
        CelExtensions.encoders(options), CelExtensions.math(options, 2)));
    for (Object lib : extraLibraries) {
      compilerLibs.add((CelCompilerLibrary) lib);
      runtimeLibs.add((CelRuntimeLibrary) lib);
    }
    Cel base = CelFactory.standardCelBuilder()
        .setOptions(options)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addCompilerLibraries(compilerLibs)
        .addRuntimeLibraries(runtimeLibs)
        .setTypeProvider(new UserTypeProvider())
        .build();
    this.claimsCel = base.toCelBuilder().addVar("claims", MapType.create(SimpleType.STRING, SimpleType.DYN)).build();
    this.userCel = base.toCelBuilder().addVar("user", USER_TYPE).build();
  }

  /**
   * Compiles and type-checks. {@code mustBeBool}: validation rules must type-check to {@code bool}
   * exactly (a {@code dyn} result is refused, as Kubernetes does); mappings are checked at evaluation.
   */
  public CompiledExpression compile(Scope scope, String source, boolean mustBeBool) throws CelCompileException {
    Cel cel = scope == Scope.CLAIMS ? claimsCel : userCel;
    CelAbstractSyntaxTree ast;
    try {
      ast = cel.compile(source).getAst();
    } catch (CelValidationException e) {
      throw new CelCompileException("compilation failed: " + e.getMessage());
    }
    if (mustBeBool && !SimpleType.BOOL.equals(ast.getResultType())) {
      throw new CelCompileException("must evaluate to bool but got " + ast.getResultType().name());
    }
    Set<String> used = new HashSet<>();
    Map<String, String> escaped = new HashMap<>();
    if (scope == Scope.CLAIMS) {
      Set<String> selected = new HashSet<>();
      collectFields(ast, used, selected);
      for (String f : selected) {
        String real = unescape(f);
        if (!real.equals(f)) {
          escaped.put(f, real);
        }
      }
    }
    try {
      return new CompiledExpression(source, cel.createProgram(ast), escaped, used);
    } catch (CelEvaluationException e) {
      throw new CelCompileException("cannot plan expression: " + e.getMessage());
    }
  }

  /**
   * {@code claims}: every field selected on {@code claims} itself ({@code claims.x}, {@code claims.?x},
   * {@code has(claims.x)}). {@code selected}: every field selected on anything (nested objects, comprehension
   * variables), for escaped names, which Kubernetes resolves at every depth.
   */
  private static void collectFields(CelAbstractSyntaxTree ast, Set<String> claims, Set<String> selected) {
    CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach(n -> {
      CelExpr e = n.expr();
      switch (e.getKind()) {
        case SELECT -> {
          selected.add(e.select().field());
          if (isClaims(e.select().operand())) {
            claims.add(e.select().field());
          }
        }
        case CALL -> {
          // x.?y is the call _?._(x, "y")
          if (e.call().function().equals("_?._") && e.call().args().size() == 2
              && e.call().args().get(1).getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
            String field = e.call().args().get(1).constant().stringValue();
            selected.add(field);
            if (isClaims(e.call().args().get(0))) {
              claims.add(field);
            }
          }
        }
        default -> {}
      }
    });
  }

  private static boolean isClaims(CelExpr e) {
    return e.getKind() == CelExpr.ExprKind.Kind.IDENT && e.ident().name().equals("claims");
  }

  /** Kubernetes' escaping of field names: {@code __dot__} {@code .}, {@code __dash__} {@code -}, ... */
  static String unescape(String name) {
    if (!name.contains("__")) {
      return name;
    }
    Matcher m = ESCAPED.matcher(name);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String token = m.group(1);
      String repl = switch (token) {
        case "dot" -> ".";
        case "dash" -> "-";
        case "slash" -> "/";
        case "underscores" -> "__";
        default -> KEYWORDS.contains(token) ? token : m.group();
      };
      m.appendReplacement(b, Matcher.quoteReplacement(repl));
    }
    m.appendTail(b);
    return b.toString();
  }

  /**
   * Verified claims as CEL sees them, built once per token: JSON integers become ints (doubles beyond
   * 64 bits), other numbers doubles, JSON null CEL's null; in every JSON object, the escaped names any
   * expression uses ({@code foo__dot__bar}) resolve to their real members ({@code foo.bar}).
   */
  public static Map<String, Object> claimsInput(Map<String, Object> claims, Map<String, String> escapedNames) {
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) toCel(claims, Map.copyOf(escapedNames));
    return out;
  }

  /** The {@code user} variable. */
  public static Map<String, Object> userInput(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("username", username);
    u.put("uid", uid);
    u.put("groups", groups);
    u.put("extra", extra);
    return u;
  }

  private static Object toCel(Object v, Map<String, String> escapedNames) {
    if (v == null) {
      return NullValue.NULL_VALUE;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), toCel(x, escapedNames)));
      return escapedNames.isEmpty() ? out : new EscapedNames(out, escapedNames);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(x -> out.add(toCel(x, escapedNames)));
      return out;
    }
    // Kubernetes converts claims to unstructured JSON, which keeps a number that parses as an int64 an
    // int64 (so claims.n + 1 works and string(claims.n) is "1") and makes every other number a float64.
    if (v instanceof BigInteger bi) {
      return bi.bitLength() < Long.SIZE ? (Object) bi.longValue() : (Object) bi.doubleValue();
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    return v;
  }

  /**
   * Evaluates with Kubernetes' cost limit. Cost is counted as one per evaluated node plus a tenth of the
   * length of every string or list produced, which bounds the work an expression can do on large claims.
   */
  public Object evaluate(CompiledExpression expr, String variable, Map<String, Object> value) throws CelEvalException {
    long[] cost = {0};
    CelEvaluationListener meter = (node, result) -> {
      long c = 1;
      if (result instanceof String s) {
        c += s.length() / 10;
      } else if (result instanceof java.util.Collection<?> col) {
        c += col.size() / 10;
      }
      cost[0] += c;
      if (cost[0] > COST_LIMIT) {
        throw new CostLimitExceeded();
      }
    };
    try {
      return expr.program().trace(Map.of(variable, value), meter);
    } catch (CostLimitExceeded e) {
      throw new CelEvalException("operation cancelled: actual cost limit exceeded");
    } catch (CelEvaluationException e) {
      if (e.getCause() instanceof CostLimitExceeded) {
        throw new CelEvalException("operation cancelled: actual cost limit exceeded");
      }
      throw new CelEvalException(e.getMessage());
    } catch (RuntimeException e) {
      if (e.getCause() instanceof CostLimitExceeded) {
        throw new CelEvalException("operation cancelled: actual cost limit exceeded");
      }
      throw new CelEvalException("evaluation failed: " + e);
    }
  }

  /**
   * A JSON object in which an escaped name also finds its real member, as in Kubernetes: {@code get} and
   * {@code containsKey} fall back to the unescaped name, while size, iteration and equality see only the
   * real members (aliases added as keys would show up in {@code claims.size()} or {@code claims.all(k, ...)}).
   */
  private static final class EscapedNames extends AbstractMap<String, Object> {
    private final Map<String, Object> members;
    private final Map<String, String> escapedNames;

    EscapedNames(Map<String, Object> members, Map<String, String> escapedNames) {
      this.members = members;
      this.escapedNames = escapedNames;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return Collections.unmodifiableMap(members).entrySet();
    }

    @Override
    public boolean containsKey(Object key) {
      return members.containsKey(key) || members.containsKey(escapedNames.get(key));
    }

    @Override
    public Object get(Object key) {
      // Members are never Java null (JSON null is NullValue), so null means absent.
      Object v = members.get(key);
      return v != null ? v : members.get(escapedNames.get(key));
    }
  }

  private static final class CostLimitExceeded extends RuntimeException {
    CostLimitExceeded() {
      super("cost limit exceeded", null, false, false);
    }
  }

  /** Makes {@code kubernetes.UserInfo} known to the checker. */
  private static final class UserTypeProvider implements CelTypeProvider {
    @Override
    public com.google.common.collect.ImmutableCollection<CelType> types() {
      return ImmutableList.of(USER_TYPE);
    }

    @Override
    public Optional<CelType> findType(String name) {
      return USER_TYPE.name().equals(name) ? Optional.of(USER_TYPE) : Optional.empty();
    }
  }
}
