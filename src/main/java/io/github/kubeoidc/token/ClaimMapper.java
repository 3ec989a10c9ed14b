package io.github.kubeoidc.token;

import static io.github.kubeoidc.token.IssuerAuthenticator.fail;
import static io.github.kubeoidc.token.IssuerAuthenticator.quote;

import dev.cel.common.values.NullValue;
import io.github.kubeoidc.cel.CelEnv;
import io.github.kubeoidc.cel.CelEvalException;
import io.github.kubeoidc.cel.CompiledExpression;
import io.github.kubeoidc.cel.CompiledRules;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verified claims → user: username, groups, uid and extra, with their prefixes, as Kubernetes'
 * {@code getUsername}/{@code getGroups}/{@code getUID}/{@code getExtra}. Prefix defaults are resolved
 * once, here.
 */
final class ClaimMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimMapper.class);

  /** Set by kube-apiserver from a string {@code jti}, so audit logs can tie requests to one token. */
  static final String CREDENTIAL_ID_KEY = "authentication.kubernetes.io/credential-id";

  private final String usernameClaim;
  private final String usernamePrefix;
  private final String groupsClaim; // null: no groups
  private final String groupsPrefix;
  private final String uidClaim; // null: no uid
  /** The start of a claim mapping's error messages, formatted once. */
  private final String usernameWhere;
  private final String uidWhere;

  private final CompiledRules rules;

  ClaimMapper(String issuer, ClaimMappings m, CompiledRules rules) {
    this.rules = rules;
    PrefixedClaimOrExpression user = m.username();
    this.usernameClaim = user.claim();
    if (rules.username() != null) {
      this.usernamePrefix = ""; // expressions build the whole name; a prefix is forbidden with them
    } else if (user.prefix() == null) {
      // Kubernetes requires a prefix with claim; we default as the legacy flag does (kubernetes-semantics.md).
      this.usernamePrefix = "email".equals(usernameClaim) ? "" : issuer + "#";
      LOG.info("issuer {}: claimMappings.username.prefix not set; using {} (as --oidc-username-prefix would)",
          issuer, usernamePrefix.isEmpty() ? "no prefix for claim email" : "\"" + usernamePrefix + "\"");
    } else {
      this.usernamePrefix = user.prefix();
    }
    PrefixedClaimOrExpression groups = m.groups();
    this.groupsClaim = groups == null || groups.claim() == null || groups.claim().isEmpty() ? null : groups.claim();
    this.groupsPrefix = groups == null || groups.prefix() == null ? "" : groups.prefix();
    this.uidClaim = m.uid() == null || m.uid().claim() == null || m.uid().claim().isEmpty() ? null : m.uid().claim();
    this.usernameWhere = usernameClaim == null ? null : "oidc: parse username claims " + quote(usernameClaim) + ": ";
    this.uidWhere = uidClaim == null ? null : "oidc: parse uid claim " + quote(uidClaim) + ": ";
  }

  /**
   * @param celClaims the claims as CEL sees them; null when no expression reads them
   */
  UserInfo map(Map<String, Object> claims, Map<String, Object> celClaims, StepListener l) throws TokenRejectedException {
    String username = rules.username() != null ? usernameExpression(celClaims, l) : username(claims, l);
    List<String> groups = groupsClaim != null && claims.containsKey(groupsClaim) || rules.groups() == null
        ? groups(claims, l) : groupsExpression(celClaims, l);
    String uid = rules.uid() != null ? uidExpression(celClaims, l) : uid(claims, l);
    Map<String, List<String>> extra = new LinkedHashMap<>();
    // As Kubernetes' CredentialIDForJTI: an empty jti identifies nothing and adds no credential id.
    if (claims.get("jti") instanceof String jti && !jti.isEmpty()) {
      extra.put(CREDENTIAL_ID_KEY, List.of("JTI=" + jti));
    }
    for (CompiledRules.Extra e : rules.extra()) {
      List<String> values = stringList(e.expression(), celClaims, Reason.EXTRA_INVALID, "extra",
          "oidc: error evaluating extra claim expression: " + e.expression().source() + ": ", l);
      if (!values.isEmpty()) {
        extra.put(e.key(), values);
      }
    }
    if (!rules.extra().isEmpty()) {
      if (l.explaining()) {
        l.step("extra", true, extra.size() + " key(s)");
      }
    }
    return new UserInfo(username, uid, groups, extra);
  }

  private String usernameExpression(Map<String, Object> celClaims, StepListener l) throws TokenRejectedException {
    String where = "oidc: error evaluating username claim expression: ";
    Object v = evaluate(rules.username(), celClaims, Reason.USERNAME_INVALID, "username", where, l);
    if (!(v instanceof String s)) {
      throw fail(l, "username", Reason.USERNAME_INVALID, where + "username claim expression must return a string");
    }
    if (s.isEmpty()) {
      // Kubernetes' own wording for this one (it is not wrapped like the other expression errors).
      throw fail(l, "username", Reason.USERNAME_INVALID, "oidc: empty username via CEL expression is not allowed");
    }
    if (l.explaining()) {
      l.step("username", true, quote(s) + " from expression " + quote(rules.username().source()));
    }
    return s;
  }

  private List<String> groupsExpression(Map<String, Object> celClaims, StepListener l) throws TokenRejectedException {
    List<String> groups = stringList(rules.groups(), celClaims, Reason.GROUPS_INVALID, "groups",
        "oidc: error evaluating group claim expression: ", l);
    if (l.explaining()) {
      l.step("groups", true, groups.size() + " group(s) from expression " + quote(rules.groups().source()));
    }
    return groups;
  }

  private String uidExpression(Map<String, Object> celClaims, StepListener l) throws TokenRejectedException {
    String where = "oidc: error evaluating uid claim expression: ";
    Object v = evaluate(rules.uid(), celClaims, Reason.UID_INVALID, "uid", where, l);
    if (!(v instanceof String s)) {
      throw fail(l, "uid", Reason.UID_INVALID, where + "uid claim expression must return a string");
    }
    if (l.explaining()) {
      l.step("uid", true, quote(s) + " from expression " + quote(rules.uid().source()));
    }
    return s;
  }

  private static Object evaluate(CompiledExpression e, Map<String, Object> celClaims, Reason reason, String step,
      String where, StepListener l) throws TokenRejectedException {
    try {
      return CelEnv.get().evaluate(e, "claims", celClaims);
    } catch (CelEvalException ex) {
      throw fail(l, step, reason, where + "expression '" + e.source() + "' resulted in error: " + ex.getMessage());
    }
  }

  /** Kubernetes' convertCELValueToStringList: a string ("" = none), a list of strings (empty ones dropped), or null. */
  private static List<String> stringList(CompiledExpression e, Map<String, Object> celClaims, Reason reason, String step,
      String where, StepListener l) throws TokenRejectedException {
    Object v = evaluate(e, celClaims, reason, step, where, l);
    if (v instanceof String s) {
      return s.isEmpty() ? List.of() : List.of(s);
    }
    if (v instanceof NullValue) {
      return List.of();
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw fail(l, step, reason, where + "expression must return a string or a list of strings");
        }
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
      return out;
    }
    throw fail(l, step, reason, where + "expression must return a string or a list of strings");
  }

  private String username(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    String where = usernameWhere;
    if (!claims.containsKey(usernameClaim)) {
      throw fail(l, "username", Reason.USERNAME_INVALID, where + "claim not present");
    }
    if (!(claims.get(usernameClaim) instanceof String value)) {
      throw fail(l, "username", Reason.USERNAME_INVALID, where + "claim is not a string");
    }
    if (value.isEmpty()) {
      // Kubernetes would authenticate a user named only by the prefix; an empty identity is refused here.
      throw fail(l, "username", Reason.USERNAME_INVALID, where + "claim is empty");
    }
    if ("email".equals(usernameClaim) && claims.containsKey("email_verified")) {
      // OIDC Core §5.1: an email is only an identity once verified. Absent is accepted, as Kubernetes does.
      Object verified = claims.get("email_verified");
      if (!(verified instanceof Boolean b)) {
        throw fail(l, "username", Reason.EMAIL_NOT_VERIFIED, "oidc: parse 'email_verified' claim: not a boolean");
      }
      if (!b) {
        throw fail(l, "username", Reason.EMAIL_NOT_VERIFIED, "oidc: email not verified");
      }
    }
    String username = usernamePrefix + value;
    if (l.explaining()) {
      l.step("username", true, quote(username) + " from claim " + quote(usernameClaim)
          + (usernamePrefix.isEmpty() ? "" : " with prefix " + quote(usernamePrefix)));
    }
    return username;
  }

  /** A string (one group) or an array of strings; absent or null: none. */
  private List<String> groups(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    if (groupsClaim == null) {
      if (l.explaining()) {
        l.step("groups", true, "no groups mapping");
      }
      return List.of();
    }
    Object raw = claims.get(groupsClaim);
    List<String> out = new ArrayList<>();
    if (raw instanceof String s) {
      out.add(groupsPrefix + s);
    } else if (raw instanceof List<?> list) {
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw fail(l, "groups", Reason.GROUPS_INVALID,
              "oidc: parse groups claim " + quote(groupsClaim) + ": must be a string or an array of strings");
        }
        out.add(groupsPrefix + s);
      }
    } else if (raw != null) {
      throw fail(l, "groups", Reason.GROUPS_INVALID,
          "oidc: parse groups claim " + quote(groupsClaim) + ": must be a string or an array of strings");
    }
    if (l.explaining()) {
      l.step("groups", true, out.size() + " group(s) from claim " + quote(groupsClaim) + (out.isEmpty() ? "" : ": " + out.stream().limit(20).map(IssuerAuthenticator::quote).toList()));
    }
    return out;
  }

  private String uid(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    if (uidClaim == null) {
      return "";
    }
    String where = uidWhere;
    if (!claims.containsKey(uidClaim)) {
      throw fail(l, "uid", Reason.UID_INVALID, where + "claim not present");
    }
    if (!(claims.get(uidClaim) instanceof String uid)) {
      throw fail(l, "uid", Reason.UID_INVALID, where + "claim is not a string");
    }
    if (l.explaining()) {
      l.step("uid", true, quote(uid) + " from claim " + quote(uidClaim));
    }
    return uid;
  }
}
