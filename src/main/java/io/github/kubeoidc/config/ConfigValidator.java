package io.github.kubeoidc.config;

import io.github.kubeoidc.cel.CelCompileException;
import io.github.kubeoidc.cel.CelEnv;
import io.github.kubeoidc.cel.CompiledExpression;
import io.github.kubeoidc.cel.CompiledRules;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimValidationRule;
import io.github.kubeoidc.config.JwtAuthenticator.ExtraMapping;
import io.github.kubeoidc.config.JwtAuthenticator.Issuer;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import io.github.kubeoidc.config.JwtAuthenticator.UserValidationRule;
import io.github.kubeoidc.tls.Pem;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static checks of Kubernetes' {@code pkg/apis/apiserver/validation/validation.go} for the
 * {@code jwt} section. Every error is collected, never just the first, and each names its field.
 */
public final class ConfigValidator {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigValidator.class);

  /** kube-apiserver refuses more than this many {@code jwt} authenticators. */
  public static final int MAX_JWT_AUTHENTICATORS = 64;

  static final String EMAIL_VERIFIED_REQUIRED = "claims.email_verified must be used in claimMappings.username.expression"
      + " or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used"
      + " in claimMappings.username.expression";

  /** The outcome of validation: every problem found, and the compiled expressions of each authenticator. */
  public record Validated(List<FieldError> errors, List<CompiledRules> rules) {
    public Validated {
      errors = List.copyOf(errors);
      rules = List.copyOf(rules);
    }
  }

  private ConfigValidator() {
    throw new AssertionError();
  }

  /** Validates a decoded file and compiles its expressions, or throws with every problem found. */
  public static Validated validateFile(AuthenticationConfiguration cfg) throws ConfigException {
    List<FieldError> errs = new ArrayList<>();
    if (cfg.apiVersion() == null || cfg.apiVersion().isEmpty()) {
      errs.add(FieldError.required(FieldPath.root("apiVersion"), "one of " + AuthenticationConfiguration.API_VERSIONS));
    } else if (!AuthenticationConfiguration.API_VERSIONS.contains(cfg.apiVersion())) {
      errs.add(FieldError.notSupported(FieldPath.root("apiVersion"), cfg.apiVersion(),
          "supported values: " + AuthenticationConfiguration.API_VERSIONS));
    }
    if (cfg.kind() == null || cfg.kind().isEmpty()) {
      errs.add(FieldError.required(FieldPath.root("kind"), AuthenticationConfiguration.KIND));
    } else if (!AuthenticationConfiguration.KIND.equals(cfg.kind())) {
      errs.add(FieldError.notSupported(FieldPath.root("kind"), cfg.kind(),
          "supported values: \"" + AuthenticationConfiguration.KIND + "\""));
    }
    if (cfg.anonymous() != null && !cfg.anonymous().isNull()) {
      LOG.warn("anonymous: ignored; a token webhook cannot grant anonymous access (configure it on kube-apiserver)");
    }
    Validated v = validate(cfg.jwt(), FieldPath.root("jwt"));
    errs.addAll(v.errors());
    if (!errs.isEmpty()) {
      throw new ConfigException(errs);
    }
    return v;
  }

  /** Checks the {@code jwt} list; returns every problem found, empty when valid. */
  public static List<FieldError> validateAuthenticators(List<JwtAuthenticator> jwt, FieldPath path) {
    return validate(jwt, path).errors();
  }

  /**
   * Checks the {@code jwt} list and compiles every CEL expression in the same pass (as Kubernetes'
   * validation.go does), so that all problems, static or CEL, are reported together.
   */
  public static Validated validate(List<JwtAuthenticator> jwt, FieldPath path) {
    List<FieldError> errs = new ArrayList<>();
    List<CompiledRules> compiled = new ArrayList<>();
    if (jwt.isEmpty()) {
      errs.add(FieldError.required(path, "at least one jwt authenticator is required: this webhook only verifies JWTs"));
    }
    if (jwt.size() > MAX_JWT_AUTHENTICATORS) {
      // As validation.go: this one error alone, nothing else is examined.
      errs.add(new FieldError(path, FieldError.Type.TOO_MANY, String.valueOf(jwt.size()),
          "must have at most " + MAX_JWT_AUTHENTICATORS + " items"));
      return new Validated(errs, java.util.Collections.nCopies(jwt.size(), CompiledRules.NONE));
    }
    Set<String> issuers = new HashSet<>();
    Set<String> discoveryUrls = new HashSet<>();
    for (int i = 0; i < jwt.size(); i++) {
      FieldPath p = path.index(i);
      JwtAuthenticator a = jwt.get(i);
      if (a == null) {
        errs.add(FieldError.required(p, "an authenticator is required"));
        compiled.add(CompiledRules.NONE);
        continue;
      }
      Exprs exprs = new Exprs(errs);
      validateIssuer(a.issuer(), p.child("issuer"), issuers, discoveryUrls, errs);
      validateClaimValidationRules(a.claimValidationRules(), p.child("claimValidationRules"), errs, exprs);
      validateClaimMappings(a.claimMappings(), p.child("claimMappings"), errs, exprs);
      validateUserValidationRules(a.userValidationRules(), p.child("userValidationRules"), errs, exprs);
      exprs.checkEmailVerified(p.child("claimMappings").child("username").child("expression"));
      compiled.add(exprs.build());
    }
    return new Validated(errs, compiled);
  }

  /** Compiles one authenticator's expressions, collecting compile errors with their field paths. */
  private static final class Exprs {
    private final List<FieldError> errs;
    final List<CompiledRules.Rule> claimRules = new ArrayList<>();
    CompiledExpression username;
    CompiledExpression groups;
    CompiledExpression uid;
    final List<CompiledRules.Extra> extra = new ArrayList<>();
    final List<CompiledRules.Rule> userRules = new ArrayList<>();

    Exprs(List<FieldError> errs) {
      this.errs = errs;
    }

    /** Null when it does not compile (the error is recorded). */
    CompiledExpression compile(CelEnv.Scope scope, String source, boolean mustBeBool, FieldPath path) {
      try {
        return CelEnv.get().compile(scope, source, mustBeBool);
      } catch (CelCompileException e) {
        errs.add(FieldError.invalid(path, source, e.getMessage()));
        return null;
      }
    }

    /**
     * Kubernetes' load-time rule: a username expression that reads claims.email must be accompanied by a
     * check of claims.email_verified somewhere (a syntactic check, as Kubernetes does it).
     */
    void checkEmailVerified(FieldPath path) {
      if (username == null || !username.claimsUsed().contains("email")) {
        return;
      }
      boolean checked = username.claimsUsed().contains("email_verified")
          || extra.stream().anyMatch(e -> e.expression().claimsUsed().contains("email_verified"))
          || claimRules.stream().anyMatch(r -> r.expression().claimsUsed().contains("email_verified"));
      if (!checked) {
        errs.add(FieldError.invalid(path, username.source(), EMAIL_VERIFIED_REQUIRED));
      }
    }

    CompiledRules build() {
      return new CompiledRules(claimRules, username, groups, uid, extra, userRules);
    }
  }

  private static void validateIssuer(
      Issuer issuer, FieldPath p, Set<String> issuers, Set<String> discoveryUrls, List<FieldError> errs) {
    if (issuer == null) {
      errs.add(FieldError.required(p, ""));
      return;
    }
    FieldPath urlPath = p.child("url");
    if (issuer.url() == null || issuer.url().isEmpty()) {
      errs.add(FieldError.required(urlPath, ""));
    } else {
      validateUrl(issuer.url(), urlPath, errs);
      if (!issuers.add(issuer.url())) {
        errs.add(FieldError.duplicate(urlPath, issuer.url()));
      }
    }
    String discovery = issuer.discoveryURL();
    if (discovery != null && !discovery.isEmpty()) {
      FieldPath dp = p.child("discoveryURL");
      validateUrl(discovery, dp, errs);
      if (issuer.url() != null && stripSlash(issuer.url()).equals(stripSlash(discovery))) {
        errs.add(FieldError.invalid(dp, discovery, "discoveryURL must be different from URL"));
      }
      if (!discoveryUrls.add(discovery)) {
        errs.add(FieldError.duplicate(dp, discovery));
      }
    }
    if (issuer.certificateAuthority() != null && !issuer.certificateAuthority().isEmpty()) {
      try {
        Pem.certificates(Pem.decodeCertificateAuthority(issuer.certificateAuthority()));
      } catch (IllegalArgumentException e) {
        errs.add(FieldError.invalid(p.child("certificateAuthority"), FieldError.OMITTED, e.getMessage()));
      }
    }
    validateAudiences(issuer, p, errs);
  }

  private static void validateAudiences(Issuer issuer, FieldPath p, List<FieldError> errs) {
    FieldPath ap = p.child("audiences");
    List<String> auds = issuer.audiences();
    if (auds.isEmpty()) {
      errs.add(FieldError.required(ap, "at least one " + ap + " is required"));
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < auds.size(); i++) {
      String aud = auds.get(i);
      // Kubernetes checks only for "", ours also refuses whitespace: such an audience is always a mistake.
      if (aud == null || aud.isBlank()) {
        errs.add(FieldError.required(ap.index(i), ""));
      }
      if (!seen.add(aud == null ? "" : aud)) {
        errs.add(FieldError.duplicate(ap.index(i), aud));
      }
    }
    String policy = issuer.audienceMatchPolicy() == null ? "" : issuer.audienceMatchPolicy();
    FieldPath pp = p.child("audienceMatchPolicy");
    if (auds.size() > 1 && !"MatchAny".equals(policy)) {
      errs.add(FieldError.invalid(pp, policy, "audienceMatchPolicy must be MatchAny for multiple audiences"));
    } else if (auds.size() == 1 && !policy.isEmpty() && !"MatchAny".equals(policy)) {
      errs.add(FieldError.invalid(pp, policy, "audienceMatchPolicy must be empty or MatchAny for single audience"));
    }
  }

  private static void validateUrl(String raw, FieldPath p, List<FieldError> errs) {
    URI u;
    try {
      u = new URI(raw);
    } catch (URISyntaxException e) {
      errs.add(FieldError.invalid(p, raw, "not a valid URL: " + e.getReason()));
      return;
    }
    if (!"https".equals(u.getScheme())) {
      errs.add(FieldError.invalid(p, raw, "URL scheme must be https"));
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      errs.add(FieldError.invalid(p, raw, "URL must have a host"));
    }
    if (u.getRawUserInfo() != null) {
      errs.add(FieldError.invalid(p, raw, "URL must not contain a username or password"));
    }
    if (notEmpty(u.getRawQuery())) {
      errs.add(FieldError.invalid(p, raw, "URL must not contain a query"));
    }
    if (notEmpty(u.getRawFragment())) {
      errs.add(FieldError.invalid(p, raw, "URL must not contain a fragment"));
    }
  }

  private static void validateClaimValidationRules(
      List<ClaimValidationRule> rules, FieldPath p, List<FieldError> errs, Exprs exprs) {
    Set<String> claims = new HashSet<>();
    Set<String> expressions = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      FieldPath rp = p.index(i);
      ClaimValidationRule r = rules.get(i);
      if (r == null) {
        errs.add(FieldError.required(rp, "claim or expression is required"));
        continue;
      }
      boolean hasClaim = notEmpty(r.claim());
      boolean hasExpr = notEmpty(r.expression());
      // One branch per rule, as validation.go's switch: with both set, that is the only error reported.
      if (hasClaim && hasExpr) {
        errs.add(FieldError.invalid(rp, r.claim(), "claim and expression can't both be set"));
      } else if (!hasClaim && !hasExpr) {
        errs.add(FieldError.required(rp, "claim or expression is required"));
      } else if (hasClaim) {
        if (notEmpty(r.message())) {
          errs.add(FieldError.invalid(rp.child("message"), r.message(), "may not be specified when claim is set"));
        }
        if (!claims.add(r.claim())) {
          errs.add(FieldError.duplicate(rp.child("claim"), r.claim()));
        }
      } else {
        if (r.requiredValue() != null && !r.requiredValue().isEmpty()) {
          errs.add(FieldError.invalid(rp.child("requiredValue"), r.requiredValue(),
              "may not be specified when expression is set"));
        }
        if (!expressions.add(r.expression())) {
          errs.add(FieldError.duplicate(rp.child("expression"), r.expression()));
          continue;
        }
        CompiledExpression c = exprs.compile(CelEnv.Scope.CLAIMS, r.expression(), true, rp.child("expression"));
        if (c != null) {
          exprs.claimRules.add(new CompiledRules.Rule(c, r.message() == null ? "" : r.message()));
        }
      }
    }
  }

  private static void validateClaimMappings(ClaimMappings m, FieldPath p, List<FieldError> errs, Exprs exprs) {
    if (m == null || m.username() == null) {
      errs.add(FieldError.required(p.child("username"), "claim or expression is required"));
    } else {
      exprs.username = validatePrefixed(m.username(), p.child("username"), true, errs, exprs);
    }
    if (m == null) {
      return;
    }
    if (m.groups() != null) {
      exprs.groups = validatePrefixed(m.groups(), p.child("groups"), false, errs, exprs);
    }
    if (m.uid() != null) {
      FieldPath up = p.child("uid");
      boolean hasClaim = notEmpty(m.uid().claim());
      boolean hasExpr = notEmpty(m.uid().expression());
      if (hasClaim && hasExpr) {
        errs.add(FieldError.invalid(up, "", "claim and expression can't both be set"));
      } else if (hasExpr) {
        exprs.uid = exprs.compile(CelEnv.Scope.CLAIMS, m.uid().expression(), false, up.child("expression"));
      }
    }
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < m.extra().size(); i++) {
      FieldPath ep = p.child("extra").index(i);
      ExtraMapping e = m.extra().get(i);
      if (e == null) {
        errs.add(FieldError.required(ep, "key and valueExpression are required"));
        continue;
      }
      if (!validateExtraKey(e.key(), ep.child("key"), keys, errs)) {
        continue; // a duplicate key: its expression is not examined, as validation.go does
      }
      if (!notEmpty(e.valueExpression())) {
        errs.add(FieldError.required(ep.child("valueExpression"), ""));
      } else {
        CompiledExpression c = exprs.compile(CelEnv.Scope.CLAIMS, e.valueExpression(), false, ep.child("valueExpression"));
        if (c != null && notEmpty(e.key())) {
          exprs.extra.add(new CompiledRules.Extra(e.key(), c));
        }
      }
    }
  }

  /** Returns the compiled expression when the mapping is an expression that compiles, else null. */
  private static CompiledExpression validatePrefixed(
      PrefixedClaimOrExpression m, FieldPath p, boolean required, List<FieldError> errs, Exprs exprs) {
    boolean hasClaim = notEmpty(m.claim());
    boolean hasExpr = notEmpty(m.expression());
    if (hasClaim && hasExpr) {
      errs.add(FieldError.invalid(p, "", "claim and expression can't both be set"));
    } else if (required && !hasClaim && !hasExpr) {
      errs.add(FieldError.required(p, "claim or expression is required"));
    } else if (hasExpr) {
      if (m.prefix() != null) {
        errs.add(FieldError.invalid(p.child("prefix"), m.prefix(), "may not be specified when expression is set"));
      }
      return exprs.compile(CelEnv.Scope.CLAIMS, m.expression(), false, p.child("expression"));
    }
    // A prefix with neither claim nor expression is unused; validation.go accepts it, so do we.
    return null;
  }

  /** A domain-prefixed path, lowercase, unique, outside the domains Kubernetes reserves. False for a duplicate. */
  private static boolean validateExtraKey(String key, FieldPath p, Set<String> keys, List<FieldError> errs) {
    if (!notEmpty(key)) {
      errs.add(FieldError.required(p, ""));
      return true;
    }
    int slash = key.indexOf('/');
    if (slash <= 0 || slash == key.length() - 1 || !key.substring(0, slash).contains(".")) {
      errs.add(FieldError.invalid(p, key, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
    }
    if (!key.equals(key.toLowerCase(java.util.Locale.ROOT))) {
      errs.add(FieldError.invalid(p, key, "must be lowercase"));
    }
    String domain = slash > 0 ? key.substring(0, slash) : key;
    if (domain.equals("kubernetes.io") || domain.endsWith(".kubernetes.io")
        || domain.equals("k8s.io") || domain.endsWith(".k8s.io")) {
      errs.add(FieldError.invalid(p, key, "k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use"));
    }
    if (!keys.add(key)) {
      errs.add(FieldError.duplicate(p, key));
      return false;
    }
    return true;
  }

  private static void validateUserValidationRules(
      List<UserValidationRule> rules, FieldPath p, List<FieldError> errs, Exprs exprs) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      FieldPath rp = p.index(i);
      UserValidationRule r = rules.get(i);
      if (r == null || !notEmpty(r.expression())) {
        errs.add(FieldError.required(rp.child("expression"), ""));
      } else if (!seen.add(r.expression())) {
        errs.add(FieldError.duplicate(rp.child("expression"), r.expression()));
      } else {
        CompiledExpression c = exprs.compile(CelEnv.Scope.USER, r.expression(), true, rp.child("expression"));
        if (c != null) {
          exprs.userRules.add(new CompiledRules.Rule(c, r.message() == null ? "" : r.message()));
        }
      }
    }
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  /** Go's {@code strings.TrimRight(s, "/")}: every trailing slash. */
  private static String stripSlash(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }
}
