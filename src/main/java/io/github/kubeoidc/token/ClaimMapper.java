package io.github.kubeoidc.token;

import static io.github.kubeoidc.token.IssuerAuthenticator.fail;
import static io.github.kubeoidc.token.IssuerAuthenticator.quote;

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

  ClaimMapper(String issuer, ClaimMappings m) {
    PrefixedClaimOrExpression user = m.username();
    this.usernameClaim = user.claim();
    if (user.prefix() == null) {
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
  }

  UserInfo map(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    String username = username(claims, l);
    List<String> groups = groups(claims, l);
    String uid = uid(claims, l);
    Map<String, List<String>> extra = new LinkedHashMap<>();
    // As Kubernetes' CredentialIDForJTI: an empty jti identifies nothing and adds no credential id.
    if (claims.get("jti") instanceof String jti && !jti.isEmpty()) {
      extra.put(CREDENTIAL_ID_KEY, List.of("JTI=" + jti));
    }
    return new UserInfo(username, uid, groups, extra);
  }

  private String username(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    String where = "oidc: parse username claims " + quote(usernameClaim) + ": ";
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
    l.step("username", true, quote(username) + " from claim " + quote(usernameClaim)
        + (usernamePrefix.isEmpty() ? "" : " with prefix " + quote(usernamePrefix)));
    return username;
  }

  /** A string (one group) or an array of strings; absent or null: none. */
  private List<String> groups(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    if (groupsClaim == null) {
      l.step("groups", true, "no groups mapping");
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
    l.step("groups", true, out.size() + " group(s) from claim " + quote(groupsClaim) + (out.isEmpty() ? "" : ": " + out.stream().limit(20).map(IssuerAuthenticator::quote).toList()));
    return out;
  }

  private String uid(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    if (uidClaim == null) {
      return "";
    }
    String where = "oidc: parse uid claim " + quote(uidClaim) + ": ";
    if (!claims.containsKey(uidClaim)) {
      throw fail(l, "uid", Reason.UID_INVALID, where + "claim not present");
    }
    if (!(claims.get(uidClaim) instanceof String uid)) {
      throw fail(l, "uid", Reason.UID_INVALID, where + "claim is not a string");
    }
    l.step("uid", true, quote(uid) + " from claim " + quote(uidClaim));
    return uid;
  }
}
