package io.github.kubeoidc.token;

import static io.github.kubeoidc.token.IssuerSpec.issuer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import io.github.kubeoidc.cel.CompiledRules;
import io.github.kubeoidc.config.ConfigValidator;
import io.github.kubeoidc.config.FieldError;
import io.github.kubeoidc.config.FieldPath;
import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.StaticKeySource;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import io.github.kubeoidc.token.AuthResult.Rejected;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CEL half of the pipeline as one table, after the expression cases of Kubernetes' {@code oidc_test.go}
 * {@code TestToken} (claimMappings expressions, claimValidationRules expressions, extra, userValidationRules)
 * and the rules of {@code kubernetes-semantics.md}. Each case is a configuration, a claims document, and the
 * exact user, the exact rejection, or the exact configuration error.
 *
 * <p>Expressions are compiled by {@link ConfigValidator#validate}, the path a configuration file takes, so
 * the load-time checks (types, the {@code email_verified} rule) apply to every case. Claims JSON is written
 * with single quotes, turned into double quotes by {@link #json(String)}; expressions are written as they
 * would appear in the file. Where our outcome or text differs from Kubernetes', the case says so.
 */
class CelPipelineTest {
  static final String ISSUER = "https://auth.example.com";
  static final Instant NOW = Instant.parse("2009-11-10T23:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final long VALID = NOW.getEpochSecond() + 3600;
  static final RSAKey KEY = Tokens.rsa("rsa-1");

  record Case(
      String name,
      JwtAuthenticator config,
      String claimsJson,
      UserInfo want,
      Reason wantReason,
      String wantError,
      /* Non-null: the configuration itself must be refused, with exactly this error. */
      String wantConfigError) {

    @Override
    public String toString() {
      return name;
    }
  }

  static Case accept(String name, IssuerSpec spec, String claims, UserInfo want) {
    return new Case(name, spec.build(), claims, want, null, null, null);
  }

  static Case reject(String name, IssuerSpec spec, String claims, Reason reason, String error) {
    return new Case(name, spec.build(), claims, null, reason, error, null);
  }

  static Case refuseConfig(String name, IssuerSpec spec, String configError) {
    return new Case(name, spec.build(), null, null, null, null, configError);
  }

  static IssuerSpec spec() {
    return issuer(ISSUER);
  }

  /** Single quotes to double quotes, so JSON reads cleanly inside Java strings. */
  static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  /** {@code iss}, {@code aud} and a valid {@code exp}, plus these members. */
  static String claims(String members) {
    return json("{'iss':'" + ISSUER + "','aud':'my-client','exp':" + VALID + (members.isEmpty() ? "" : "," + members) + "}");
  }

  static UserInfo user(String name) {
    return new UserInfo(name, "", List.of(), Map.of());
  }

  static UserInfo user(String name, List<String> groups) {
    return new UserInfo(name, "", groups, Map.of());
  }

  static UserInfo user(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
    return new UserInfo(name, uid, groups, extra);
  }

  static final String JANE = "'username':'jane'";
  static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";

  static final String USERNAME_ERR = "oidc: error evaluating username claim expression: ";
  static final String GROUPS_ERR = "oidc: error evaluating group claim expression: ";
  static final String UID_ERR = "oidc: error evaluating uid claim expression: ";
  static final String EXTRA_ERR = "oidc: error evaluating extra claim expression: ";
  static final String CLAIM_RULE_ERR = "oidc: error evaluating claim validation expression: ";
  static final String USER_RULE_ERR = "oidc: error evaluating user info validation rule: ";
  static final String NOT_A_STRING_LIST = "expression must return a string or a list of strings";
  static final String EMAIL_VERIFIED_REQUIRED = "claims.email_verified must be used in claimMappings.username.expression"
      + " or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used"
      + " in claimMappings.username.expression";

  /**
   * cel-java's text for a missing map key; Kubernetes (cel-go) says {@code no such key: <name>}. The rejection
   * is the same, only the tail of the message differs.
   */
  static String missingKey(int offset, String key) {
    return "evaluation error at <input>:" + offset + ": key '" + key + "' is not present in map.";
  }

  /** Kubernetes' deeply nested payload (its "turtle" cases): objects, a list, booleans and integers. */
  static final String TURTLE = "'turtle':{'foo':{'1':'a','2':'b','other1':{'bit1':true,'bit2':false,'bit3':1},"
      + "'bar':{'3':'c','4':'d','other1':{'bit1':true,'bit2':false,'bit3':1},"
      + "'baz':{'5':'e','6':'f','panda':['snorlax','007','santa','claus'],'other1':{'bit1':true,'bit2':false,'bit3':1}}}}}";

  /** Kubernetes' turtle configuration, with the groups expression of each variant. */
  static IssuerSpec turtle(String groupsExpression) {
    return spec()
        .claimRule("claims.turtle.foo.other1.bit1 && !claims.turtle.foo.bar.other1.bit2", null)
        .usernameExpression("claims.turtle.foo.bar.baz.panda[0]")
        .uidExpression("claims.turtle.foo.bar.baz.panda[1]")
        .groupsExpression(groupsExpression)
        .extra("bio.snorlax.org/1", "string(claims.turtle.foo.bar.other1.bit2)")
        .extra("bio.snorlax.org/2", "string(claims.turtle.foo.bar.baz.other1.bit3)")
        .extra("bio.snorlax.org/3", "[string(claims.turtle.foo.bar.baz.other1.bit1)] + ['a', 'b', 'c']")
        .userRule("user.username != \"bad\"", null)
        .userRule("user.uid == \"007\"", null)
        .userRule("\"claus\" in user.groups", null)
        .userRule("user.extra[\"bio.snorlax.org/3\"].size() == 4", null);
  }

  static final Map<String, List<String>> TURTLE_EXTRA = Map.of(
      "bio.snorlax.org/1", List.of("false"),
      "bio.snorlax.org/2", List.of("1"),
      "bio.snorlax.org/3", List.of("true", "a", "b", "c"));

  /** Kubernetes' extra configuration: every mapping an expression, two extra keys. */
  static IssuerSpec extraExpressions() {
    return spec().usernameExpression("claims.username").groupsExpression("claims.groups")
        .uidExpression("claims.uid").extra("example.org/foo", "claims.foo").extra("example.org/bar", "claims.bar");
  }

  /** A list claim long enough that nested comprehensions over it blow the cost limit. */
  static final String BIG_LIST = "'big':[" + String.join(",", Collections.nCopies(2000, "1")) + "]";
  /** Short enough that nested comprehensions over it stay well within the cost limit. */
  static final String MEDIUM_LIST = "'medium':[" + String.join(",", Collections.nCopies(150, "'x'")) + "]";

  static Stream<Case> cases() {
    List<Case> c = new ArrayList<>();

    // --- username expressions -------------------------------------------------------------------
    c.add(accept("username-expression", spec().usernameExpression("claims.username"), claims(JANE), user("jane")));
    c.add(accept("username-expression-nested-claim", spec().usernameExpression("claims.foo.username"),
        claims(JANE + ",'foo':{'username':'jane'}"), user("jane")));
    c.add(accept("username-expression-minimum-payload", spec().usernameExpression("claims.user"),
        claims("'user':'jane'"), user("jane")));
    // An expression builds the whole name: no prefix is added.
    c.add(accept("username-expression-builds-the-name", spec().usernameExpression("'oidc:' + claims.sub"),
        claims("'sub':'1234'"), user("oidc:1234")));
    c.add(accept("username-expression-optional-fallback",
        spec().usernameExpression("claims.?preferred_username.orValue(claims.sub)"), claims("'sub':'1234'"), user("1234")));
    c.add(accept("username-expression-has",
        spec().usernameExpression("has(claims.preferred_username) ? claims.preferred_username : claims.sub"),
        claims("'sub':'1234','preferred_username':'jane'"), user("jane")));
    c.add(accept("username-expression-lower-ascii", spec().usernameExpression("claims.username.lowerAscii()"),
        claims("'username':'JaNe'"), user("jane")));
    c.add(accept("username-expression-trim", spec().usernameExpression("claims.username.trim()"),
        claims("'username':'  jane  '"), user("jane")));
    c.add(accept("username-expression-substring-index-of",
        spec().usernameExpression("claims.upn.substring(0, claims.upn.indexOf('@'))"),
        claims("'upn':'jane@corp.example'"), user("jane")));
    c.add(accept("username-expression-replace", spec().usernameExpression("claims.upn.replace('@corp.example', '')"),
        claims("'upn':'jane@corp.example'"), user("jane")));
    c.add(reject("username-expression-number", spec().usernameExpression("claims.username"), claims("'username':42"),
        Reason.USERNAME_INVALID, USERNAME_ERR + "username claim expression must return a string"));
    c.add(reject("username-expression-list", spec().usernameExpression("claims.username"), claims("'username':['jane']"),
        Reason.USERNAME_INVALID, USERNAME_ERR + "username claim expression must return a string"));
    c.add(reject("username-expression-null", spec().usernameExpression("claims.username"), claims("'username':null"),
        Reason.USERNAME_INVALID, USERNAME_ERR + "username claim expression must return a string"));
    c.add(reject("username-expression-empty-string", spec().usernameExpression("claims.username"), claims("'username':''"),
        Reason.USERNAME_INVALID, "oidc: empty username via CEL expression is not allowed"));
    // Kubernetes: "... resulted in error: no such key: username".
    c.add(reject("username-expression-missing-claim", spec().usernameExpression("claims.username"), claims(""),
        Reason.USERNAME_INVALID, USERNAME_ERR + "expression 'claims.username' resulted in error: " + missingKey(6, "username")));

    // --- the load-time email_verified rule --------------------------------------------------------
    c.add(refuseConfig("username-expression-email-without-email-verified", spec().usernameExpression("claims.email"),
        "jwt[0].claimMappings.username.expression: Invalid value: \"claims.email\": " + EMAIL_VERIFIED_REQUIRED));
    c.add(refuseConfig("username-expression-optional-email-without-email-verified",
        spec().usernameExpression("claims.?email.orValue(claims.sub)"),
        "jwt[0].claimMappings.username.expression: Invalid value: \"claims.?email.orValue(claims.sub)\": "
            + EMAIL_VERIFIED_REQUIRED));
    IssuerSpec emailChecked = spec().usernameExpression("claims.email")
        .claimRule("claims.?email_verified.orValue(false) == true", "email not verified");
    c.add(accept("username-expression-email-verified-by-claim-rule", emailChecked,
        claims("'email':'jane@example.com','email_verified':true"), user("jane@example.com")));
    c.add(reject("username-expression-email-not-verified-by-claim-rule", emailChecked,
        claims("'email':'jane@example.com','email_verified':false"), Reason.CLAIM_RULE_FAILED,
        CLAIM_RULE_ERR + "validation expression 'claims.?email_verified.orValue(false) == true' failed: email not verified"));
    c.add(accept("username-expression-email-verified-in-extra",
        spec().usernameExpression("claims.email").extra("example.com/email-verified", "string(claims.email_verified)"),
        claims("'email':'jane@example.com','email_verified':true"),
        user("jane@example.com", "", List.of(), Map.of("example.com/email-verified", List.of("true")))));
    c.add(reject("username-expression-email-verified-in-same-expression",
        spec().usernameExpression("claims.email_verified ? claims.email : ''"),
        claims("'email':'jane@example.com','email_verified':false"),
        Reason.USERNAME_INVALID, "oidc: empty username via CEL expression is not allowed"));

    // --- groups expressions ---------------------------------------------------------------------
    IssuerSpec groupsExpr = spec().usernameExpression("claims.username").groupsExpression("claims.groups");
    c.add(accept("groups-expression", groupsExpr, claims(JANE + ",'groups':['team1','team2']"),
        user("jane", List.of("team1", "team2"))));
    c.add(accept("groups-expression-string", groupsExpr, claims(JANE + ",'groups':'team1'"), user("jane", List.of("team1"))));
    c.add(accept("groups-expression-empty-string", groupsExpr, claims(JANE + ",'groups':''"), user("jane")));
    c.add(accept("groups-expression-null", groupsExpr, claims(JANE + ",'groups':null,'uid':'1234'"), user("jane")));
    c.add(accept("groups-expression-empty-list", groupsExpr, claims(JANE + ",'groups':[]"), user("jane")));
    c.add(accept("groups-expression-drops-empty-elements", groupsExpr, claims(JANE + ",'groups':['a','','b']"),
        user("jane", List.of("a", "b"))));
    c.add(reject("groups-expression-number", groupsExpr, claims(JANE + ",'groups':42"),
        Reason.GROUPS_INVALID, GROUPS_ERR + NOT_A_STRING_LIST));
    c.add(reject("groups-expression-list-with-number", groupsExpr, claims(JANE + ",'groups':['a',1]"),
        Reason.GROUPS_INVALID, GROUPS_ERR + NOT_A_STRING_LIST));
    c.add(reject("groups-expression-object", groupsExpr, claims(JANE + ",'groups':{'a':'b'}"),
        Reason.GROUPS_INVALID, GROUPS_ERR + NOT_A_STRING_LIST));
    c.add(accept("groups-expression-split-and-map",
        spec().username("username", "oidc:")
            .groupsExpression("(claims.roles.split(\",\") + claims.other_roles.split(\",\")).map(role, \"groups:\" + role)"),
        claims(JANE + ",'roles':'foo,bar','other_roles':'baz,qux'"),
        user("oidc:jane", List.of("groups:foo", "groups:bar", "groups:baz", "groups:qux"))));
    c.add(accept("groups-expression-join-upper-ascii",
        spec().usernameExpression("claims.username").groupsExpression("[claims.tenant, claims.role].join(':').upperAscii()"),
        claims(JANE + ",'tenant':'acme','role':'admin'"), user("jane", List.of("ACME:ADMIN"))));
    // Keycloak puts realm roles in a nested object.
    IssuerSpec keycloak = spec().usernameExpression("claims.preferred_username").groupsExpression("claims.realm_access.roles");
    c.add(accept("groups-expression-keycloak-realm-roles", keycloak,
        claims("'preferred_username':'jane','realm_access':{'roles':['admin','dev']}"), user("jane", List.of("admin", "dev"))));
    c.add(reject("groups-expression-keycloak-realm-access-missing", keycloak, claims("'preferred_username':'jane'"),
        Reason.GROUPS_INVALID, GROUPS_ERR + "expression 'claims.realm_access.roles' resulted in error: "
            + missingKey(6, "realm_access")));
    c.add(accept("groups-expression-keycloak-optional-chain",
        spec().usernameExpression("claims.preferred_username").groupsExpression("claims.?realm_access.roles.orValue([])"),
        claims("'preferred_username':'jane'"), user("jane")));

    // --- Kubernetes' deeply nested claims ("turtle") --------------------------------------------
    // Integers stay integers, as in Kubernetes: string(1) is "1".
    c.add(accept("claim-mappings-deeply-nested", turtle("claims.turtle.foo.bar.baz.panda"), claims(TURTLE),
        user("snorlax", "007", List.of("snorlax", "007", "santa", "claus"), TURTLE_EXTRA)));
    c.add(accept("claim-mappings-deeply-nested-via-optional",
        turtle("claims.turtle.foo.bar.baz.?a.b.c.d.orValue([ 'claus' ])"), claims(TURTLE),
        user("snorlax", "007", List.of("claus"), TURTLE_EXTRA)));
    // Kubernetes: "... resulted in error: no such key: a".
    c.add(reject("claim-mappings-deeply-nested-without-optional", turtle("claims.turtle.foo.bar.baz.a.b.c.d"),
        claims(TURTLE), Reason.GROUPS_INVALID,
        GROUPS_ERR + "expression 'claims.turtle.foo.bar.baz.a.b.c.d' resulted in error: " + missingKey(25, "a")));

    // --- uid expressions ------------------------------------------------------------------------
    IssuerSpec uidExpr = spec().usernameExpression("claims.username").groupsExpression("claims.groups").uidExpression("claims.uid");
    c.add(accept("uid-expression", uidExpr, claims(JANE + ",'groups':['team1','team2'],'uid':'1234'"),
        user("jane", "1234", List.of("team1", "team2"), Map.of())));
    c.add(accept("uid-claim-beside-expressions",
        spec().usernameExpression("claims.username").groupsExpression("claims.groups").uid("uid"),
        claims(JANE + ",'groups':['team1','team2'],'uid':'1234'"), user("jane", "1234", List.of("team1", "team2"), Map.of())));
    c.add(accept("uid-expression-empty-string", uidExpr, claims(JANE + ",'groups':[],'uid':''"), user("jane")));
    c.add(reject("uid-expression-number", uidExpr, claims(JANE + ",'groups':[],'uid':1234"),
        Reason.UID_INVALID, UID_ERR + "uid claim expression must return a string"));
    c.add(reject("uid-expression-list", uidExpr, claims(JANE + ",'groups':[],'uid':['1234']"),
        Reason.UID_INVALID, UID_ERR + "uid claim expression must return a string"));

    // --- JSON numbers: integers are CEL ints, everything else a double, as Kubernetes converts them --
    c.add(accept("number-integer-equals-double",
        spec().usernameExpression("claims.username").claimRule("claims.n == 1.0", "n must be one"),
        claims(JANE + ",'n':1"), user("jane")));
    c.add(accept("number-integer-is-int", spec().usernameExpression("claims.username")
            .claimRule("type(claims.n) == int && type(claims.f) == double", "n must be an int, f a double"),
        claims(JANE + ",'n':1,'f':1.0"), user("jane")));
    c.add(accept("number-integer-arithmetic", spec().usernameExpression("claims.username").uidExpression("string(claims.n + 1)"),
        claims(JANE + ",'n':1"), user("jane", "2", List.of(), Map.of())));
    c.add(accept("number-fraction-arithmetic", spec().usernameExpression("claims.username").uidExpression("string(claims.f + 1.0)"),
        claims(JANE + ",'f':1.5"), user("jane", "2.5", List.of(), Map.of())));
    // Compiles (claims values are dyn) but fails at evaluation: int + double has no overload in CEL.
    // Kubernetes: "... resulted in error: no such overload".
    c.add(reject("number-integer-plus-double",
        spec().usernameExpression("claims.username").uidExpression("string(claims.n + 1.0)"), claims(JANE + ",'n':1"),
        Reason.UID_INVALID, UID_ERR + "expression 'string(claims.n + 1.0)' resulted in error: "
            + "evaluation error at <input>:16: No matching overload for function '_+_'. Overload candidates: add_double"));
    c.add(reject("number-fraction-plus-integer",
        spec().usernameExpression("claims.username").uidExpression("string(claims.f + 1)"), claims(JANE + ",'f':1.5"),
        Reason.UID_INVALID, UID_ERR + "expression 'string(claims.f + 1)' resulted in error: "
            + "evaluation error at <input>:16: No matching overload for function '_+_'. Overload candidates: add_int64"));
    c.add(accept("number-timestamps-compare", spec().usernameExpression("claims.username")
            .claimRule("claims.exp - claims.iat <= 86400", "token lifetime must not exceed a day"),
        claims(JANE + ",'iat':" + (VALID - 3600)), user("jane")));
    // Beyond int64, a JSON integer is a double (Kubernetes falls back to float64 the same way).
    c.add(accept("number-beyond-int64-is-double", spec().usernameExpression("claims.username")
            .claimRule("claims.big > 9.2e18 && type(claims.big) == double", "big must be a huge double"),
        claims(JANE + ",'big':12345678901234567890"), user("jane")));

    // --- extra ----------------------------------------------------------------------------------
    IssuerSpec extraExpr = extraExpressions();
    String extraBase = JANE + ",'groups':['team1','team2'],'uid':'1234'";
    c.add(accept("extra-expressions", extraExpr, claims(extraBase + ",'foo':'bar','bar':['baz','qux']"),
        user("jane", "1234", List.of("team1", "team2"), Map.of("example.org/foo", List.of("bar"), "example.org/bar", List.of("baz", "qux")))));
    c.add(accept("extra-empty-string-omitted", extraExpr, claims(extraBase + ",'foo':'','bar':['baz','qux']"),
        user("jane", "1234", List.of("team1", "team2"), Map.of("example.org/bar", List.of("baz", "qux")))));
    c.add(accept("extra-null-omitted", extraExpr, claims(extraBase + ",'foo':null,'bar':['baz']"),
        user("jane", "1234", List.of("team1", "team2"), Map.of("example.org/bar", List.of("baz")))));
    c.add(accept("extra-empty-list-omitted", extraExpr, claims(extraBase + ",'foo':'x','bar':[]"),
        user("jane", "1234", List.of("team1", "team2"), Map.of("example.org/foo", List.of("x")))));
    c.add(accept("extra-list-drops-empty-elements", extraExpr, claims(extraBase + ",'foo':'x','bar':['','baz','']"),
        user("jane", "1234", List.of("team1", "team2"), Map.of("example.org/foo", List.of("x"), "example.org/bar", List.of("baz")))));
    c.add(accept("extra-list-of-empty-strings-omitted", extraExpr, claims(extraBase + ",'foo':'x','bar':['','']"),
        user("jane", "1234", List.of("team1", "team2"), Map.of("example.org/foo", List.of("x")))));
    c.add(reject("extra-number", extraExpr, claims(extraBase + ",'foo':42,'bar':[]"),
        Reason.EXTRA_INVALID, EXTRA_ERR + "claims.foo: " + NOT_A_STRING_LIST));
    c.add(reject("extra-object", extraExpr, claims(extraBase + ",'foo':'x','bar':{'a':'b'}"),
        Reason.EXTRA_INVALID, EXTRA_ERR + "claims.bar: " + NOT_A_STRING_LIST));
    // Kubernetes returns cel's error unwrapped here: "expression 'claims.foo' resulted in error: no such key: foo".
    // Ours names the mapping like every other extra error.
    c.add(reject("extra-missing-claim", extraExpr, claims(extraBase + ",'bar':[]"), Reason.EXTRA_INVALID,
        EXTRA_ERR + "claims.foo: expression 'claims.foo' resulted in error: " + missingKey(6, "foo")));
    c.add(accept("extra-derived-from-claim-values", spec().usernameExpression("claims.username")
            .extra("example.org/admin", "(has(claims.is_admin) && claims.is_admin) ? \"true\":\"\"")
            .extra("example.org/admin_1", "claims.?is_admin.orValue(false) == true ? \"true\":\"\"")
            .extra("example.org/non_existent", "claims.?non_existent.orValue(\"default\") == \"default\" ? \"true\":\"\""),
        claims(JANE + ",'is_admin':true"), user("jane", "", List.of(), Map.of(
            "example.org/admin", List.of("true"), "example.org/admin_1", List.of("true"), "example.org/non_existent", List.of("true")))));
    c.add(accept("extra-hardcoded", spec().usernameExpression("claims.username").extra("example.org/admin", "\"true\""),
        claims(JANE + ",'is_admin':true"), user("jane", "", List.of(), Map.of("example.org/admin", List.of("true")))));
    c.add(refuseConfig("extra-duplicate-key", extraExpressions().extra("example.org/foo", "claims.bar"),
        "jwt[0].claimMappings.extra[2].key: Duplicate value: \"example.org/foo\""));
    c.add(accept("extra-beside-credential-id", spec().usernameExpression("claims.username")
            .extra("example.org/foo", "claims.foo").extra("example.org/bar", "claims.bar"),
        claims(JANE + ",'jti':'1234','foo':'bar','bar':['baz','qux']"), user("jane", "", List.of(), Map.of(
            CREDENTIAL_ID, List.of("JTI=1234"), "example.org/foo", List.of("bar"), "example.org/bar", List.of("baz", "qux")))));
    c.add(accept("credential-id-without-extra-mappings", spec().usernameExpression("claims.username"),
        claims(JANE + ",'jti':'1234'"), user("jane", "", List.of(), Map.of(CREDENTIAL_ID, List.of("JTI=1234")))));

    // --- claim validation expressions -------------------------------------------------------------
    IssuerSpec hd = spec().claimRule("claims.hd == \"example.com\"", "hd claim must be example.com");
    c.add(accept("claim-rule-true", hd, claims(JANE + ",'hd':'example.com'"), user("jane")));
    c.add(reject("claim-rule-false", hd, claims(JANE + ",'hd':'example.org'"), Reason.CLAIM_RULE_FAILED,
        CLAIM_RULE_ERR + "validation expression 'claims.hd == \"example.com\"' failed: hd claim must be example.com"));
    // Kubernetes: "... resulted in error: no such key: hd".
    c.add(reject("claim-rule-missing-claim", hd, claims(JANE), Reason.CLAIM_RULE_FAILED,
        CLAIM_RULE_ERR + "expression 'claims.hd == \"example.com\"' resulted in error: " + missingKey(6, "hd")));
    c.add(reject("claim-rule-false-without-message", spec().claimRule("claims.hd == 'example.com'", null),
        claims(JANE + ",'hd':'example.org'"), Reason.CLAIM_RULE_FAILED,
        CLAIM_RULE_ERR + "validation expression 'claims.hd == 'example.com'' failed: "));
    c.add(accept("claim-rule-nested-claim", spec().claimRule("claims.foo.bar == \"baz\"", "foo.bar claim must be baz"),
        claims(JANE + ",'hd':'example.com','foo':{'bar':'baz'}"), user("jane")));
    c.add(accept("claim-rule-beside-required-claim", spec().claimRule("claims.foo.bar == \"baz\"", "foo.bar claim must be baz")
            .requiredClaim("hd", "example.com"),
        claims(JANE + ",'hd':'example.com','foo':{'bar':'baz'}"), user("jane")));
    IssuerSpec audiences = spec().audiences("bar", "foo", "baz")
        .claimRule("sets.equivalent(claims.aud, [\"bar\", \"foo\", \"baz\"])", "audience must exactly contain [bar, foo, baz]");
    c.add(accept("claim-rule-sets-equivalent", audiences,
        json("{'iss':'" + ISSUER + "','aud':['foo','bar','baz'],'azp':'not-my-client','username':'jane','exp':" + VALID + "}"),
        user("jane")));
    c.add(reject("claim-rule-sets-equivalent-fails", audiences,
        json("{'iss':'" + ISSUER + "','aud':['foo','baz'],'azp':'not-my-client','username':'jane','exp':" + VALID + "}"),
        Reason.CLAIM_RULE_FAILED, CLAIM_RULE_ERR
            + "validation expression 'sets.equivalent(claims.aud, [\"bar\", \"foo\", \"baz\"])' failed: "
            + "audience must exactly contain [bar, foo, baz]"));
    c.add(accept("claim-rule-sets-contains", spec().claimRule("sets.contains(claims.groups, ['admins'])", "must be an admin"),
        claims(JANE + ",'groups':['devs','admins']"), user("jane")));
    c.add(reject("claim-rule-sets-intersects-fails",
        spec().claimRule("sets.intersects(claims.groups, ['admins', 'ops'])", "must be an admin or on call"),
        claims(JANE + ",'groups':['devs']"), Reason.CLAIM_RULE_FAILED, CLAIM_RULE_ERR
            + "validation expression 'sets.intersects(claims.groups, ['admins', 'ops'])' failed: must be an admin or on call"));
    c.add(accept("claim-rule-two-variable-all",
        spec().claimRule("claims.groups.all(i, g, i < 3 && g.startsWith('team'))", "at most three team groups"),
        claims(JANE + ",'groups':['team1','team2','team3']"), user("jane")));
    c.add(reject("claim-rule-two-variable-all-fails",
        spec().claimRule("claims.groups.all(i, g, i < 3 && g.startsWith('team'))", "at most three team groups"),
        claims(JANE + ",'groups':['team1','team2','team3','team4']"), Reason.CLAIM_RULE_FAILED, CLAIM_RULE_ERR
            + "validation expression 'claims.groups.all(i, g, i < 3 && g.startsWith('team'))' failed: at most three team groups"));
    // Rules are checked in order and the first failure rejects. Kubernetes evaluates every rule before
    // checking any result, so there an evaluation error in a later rule wins over an earlier false one:
    // it would report "expression 'claims.missing == 1' resulted in error: no such key: missing".
    c.add(reject("claim-rules-first-failure-wins",
        spec().claimRule("claims.hd == 'example.com'", "wrong domain").claimRule("claims.missing == 1", "unreachable"),
        claims(JANE + ",'hd':'example.org'"), Reason.CLAIM_RULE_FAILED,
        CLAIM_RULE_ERR + "validation expression 'claims.hd == 'example.com'' failed: wrong domain"));

    // --- user validation rules (they see the final, prefixed user) ------------------------------------
    c.add(reject("user-rule-username-prefix", spec().username("username", "system:")
            .userRule("!user.username.startsWith('system:')", "username cannot used reserved system: prefix"),
        claims(JANE), Reason.USER_RULE_FAILED, USER_RULE_ERR
            + "validation expression '!user.username.startsWith('system:')' failed: username cannot used reserved system: prefix"));
    c.add(reject("user-rule-groups-prefix", spec().usernameExpression("claims.username").groups("groups", "system:")
            .userRule("user.groups.all(group, !group.startsWith('system:'))", "groups cannot used reserved system: prefix"),
        claims(JANE + ",'groups':['team1','team2']"), Reason.USER_RULE_FAILED, USER_RULE_ERR
            + "validation expression 'user.groups.all(group, !group.startsWith('system:'))' failed: "
            + "groups cannot used reserved system: prefix"));
    c.add(accept("user-rule-groups-all-prefixed", spec().username("username", "oidc:").groups("groups", "oidc:")
            .userRule("user.groups.all(g, g.startsWith('oidc:'))", "groups must carry the oidc: prefix"),
        claims(JANE + ",'groups':['team1','team2']"), user("oidc:jane", List.of("oidc:team1", "oidc:team2"))));
    c.add(reject("user-rule-extra-key-missing", spec().usernameExpression("claims.username")
            .userRule("'example.org/tenant' in user.extra", "a tenant is required"),
        claims(JANE), Reason.USER_RULE_FAILED,
        USER_RULE_ERR + "validation expression ''example.org/tenant' in user.extra' failed: a tenant is required"));
    // Kubernetes: "... resulted in error: no such key: example.org/tenant". cel-java names only the key
    // when indexing the typed user.extra map.
    c.add(reject("user-rule-evaluation-error", spec().usernameExpression("claims.username")
            .userRule("user.extra['example.org/tenant'][0] == 'acme'", "tenant must be acme"),
        claims(JANE), Reason.USER_RULE_FAILED, USER_RULE_ERR + "expression 'user.extra['example.org/tenant'][0] == 'acme'' "
            + "resulted in error: evaluation error at <input>:10: example.org/tenant"));
    c.add(accept("user-rule-extra", spec().usernameExpression("claims.username").groupsExpression("claims.groups")
            .uidExpression("claims.uid").extra("example.org/foo", "'bar'").extra("example.org/baz", "claims.baz")
            .userRule("'bar' in user.extra['example.org/foo'] && 'qux' in user.extra['example.org/baz']",
                "example.org/foo must be bar and example.org/baz must be qux"),
        claims(JANE + ",'groups':['team1','team2'],'uid':'1234','baz':'qux'"), user("jane", "1234", List.of("team1", "team2"),
            Map.of("example.org/foo", List.of("bar"), "example.org/baz", List.of("qux")))));
    c.add(accept("user-rule-sees-credential-id", spec().usernameExpression("claims.username")
            .userRule("user.extra['" + CREDENTIAL_ID + "'] == ['JTI=abc']", "credential id expected"),
        claims(JANE + ",'jti':'abc'"), user("jane", "", List.of(), Map.of(CREDENTIAL_ID, List.of("JTI=abc")))));
    // Fields left empty are still there for the rules to read.
    c.add(accept("user-rule-empty-user-info", spec().usernameExpression("claims.username").groupsExpression("claims.groups")
            .userRule("user.username == \" \"", "username must be single space")
            .userRule("user.uid == \"\"", "uid must be empty string")
            .userRule("!('bar' in user.groups)", "groups must not contain bar")
            .userRule("!('bar' in user.extra)", "extra must not contain bar"),
        claims("'username':' ','groups':null,'baz':'qux'"), user(" ")));

    // --- order of checks: mappings, then required claims, then claim expressions, then user rules --------
    c.add(reject("order-username-before-groups",
        spec().usernameExpression("claims.username").groupsExpression("claims.groups"), claims("'groups':42,'username':7"),
        Reason.USERNAME_INVALID, USERNAME_ERR + "username claim expression must return a string"));
    c.add(reject("order-groups-before-uid",
        spec().usernameExpression("claims.username").groupsExpression("claims.groups").uidExpression("claims.uid"),
        claims(JANE + ",'groups':42,'uid':7"), Reason.GROUPS_INVALID, GROUPS_ERR + NOT_A_STRING_LIST));
    c.add(reject("order-uid-before-extra",
        spec().usernameExpression("claims.username").uidExpression("claims.uid").extra("example.org/foo", "claims.foo"),
        claims(JANE + ",'uid':7,'foo':7"), Reason.UID_INVALID, UID_ERR + "uid claim expression must return a string"));
    c.add(reject("order-mappings-before-required-claims",
        spec().usernameExpression("claims.username").extra("example.org/foo", "claims.foo").requiredClaim("hd", "example.com"),
        claims(JANE + ",'foo':7"), Reason.EXTRA_INVALID, EXTRA_ERR + "claims.foo: " + NOT_A_STRING_LIST));
    c.add(reject("order-required-claims-before-claim-expressions",
        spec().claimRule("claims.tenant == 'acme'", "wrong tenant").requiredClaim("hd", "example.com"),
        claims(JANE + ",'tenant':'other'"), Reason.REQUIRED_CLAIM, "oidc: required claim hd not present in ID token"));
    c.add(reject("order-claim-expressions-before-user-rules",
        spec().claimRule("claims.tenant == 'acme'", "wrong tenant").userRule("user.username == 'john'", "not john"),
        claims(JANE + ",'tenant':'other'"), Reason.CLAIM_RULE_FAILED,
        CLAIM_RULE_ERR + "validation expression 'claims.tenant == 'acme'' failed: wrong tenant"));

    // --- escaped claim names ----------------------------------------------------------------------
    c.add(accept("escaped-dot", spec().usernameExpression("claims.foo__dot__bar"), claims("'foo.bar':'jane'"), user("jane")));
    c.add(accept("escaped-dash", spec().usernameExpression("claims.foo__dash__bar"), claims("'foo-bar':'jane'"), user("jane")));
    c.add(accept("escaped-slash", spec().usernameExpression("claims.username").groupsExpression("claims.example__dot__com__slash__groups"),
        claims(JANE + ",'example.com/groups':['a','b']"), user("jane", List.of("a", "b"))));
    c.add(accept("escaped-underscores", spec().usernameExpression("claims.foo__underscores__bar"), claims("'foo__bar':'jane'"),
        user("jane")));
    c.add(accept("escaped-in-has-and-optional", spec()
            .usernameExpression("has(claims.foo__dot__bar) ? claims.foo__dot__bar : claims.?foo__dash__bar.orValue('nobody')"),
        claims("'foo-bar':'jane'"), user("jane")));
    // Kubernetes applies the escaping at every depth, not just to top-level claims.
    c.add(accept("escaped-in-nested-object", spec().usernameExpression("claims.ext.foo__dot__bar"),
        claims("'ext':{'foo.bar':'jane'}"), user("jane")));
    c.add(accept("escaped-in-comprehension", spec().usernameExpression("claims.username")
            .groupsExpression("claims.memberships.map(m, m.group__dot__name)"),
        claims(JANE + ",'memberships':[{'group.name':'a'},{'group.name':'b'}]"), user("jane", List.of("a", "b"))));
    // The escaped name only resolves: it adds no member that size() or a comprehension over keys would see.
    c.add(accept("escaped-names-add-no-members", spec().usernameExpression("claims.ext.foo__dot__bar")
            .claimRule("claims.ext.size() == 1 && claims.ext.all(k, k == 'foo.bar')", "ext must have one member"),
        claims("'ext':{'foo.bar':'jane'}"), user("jane")));
    // What Kubernetes recommends for such names: index access needs no escaping.
    c.add(accept("index-access-instead-of-escaping", spec().usernameExpression("claims['foo.bar']"),
        claims("'foo.bar':'jane'"), user("jane")));
    // Kubernetes: "... resulted in error: no such key: foo.bar".
    c.add(reject("escaped-claim-missing", spec().usernameExpression("claims.foo__dot__bar"), claims("'foo':'jane'"),
        Reason.USERNAME_INVALID, USERNAME_ERR + "expression 'claims.foo__dot__bar' resulted in error: "
            + missingKey(6, "foo__dot__bar")));

    // --- the cost limit ---------------------------------------------------------------------------
    // 2000 x 2000 iterations, each building a list, cost far more than 1,000,000: evaluation is cancelled
    // and the token rejected. (A purely boolean nested comprehension trips the limit too, but only after
    // about a million steps, which an interpreter that is not yet warm takes seconds to make.)
    c.add(reject("cost-limit-exceeded", spec().claimRule("claims.big.all(x, claims.big.map(y, y).size() > 0)", "unreachable"),
        claims(JANE + "," + BIG_LIST), Reason.CLAIM_RULE_FAILED, CLAIM_RULE_ERR
            + "expression 'claims.big.all(x, claims.big.map(y, y).size() > 0)' resulted in error: "
            + "operation cancelled: actual cost limit exceeded"));
    // 150 x 150 = 22,500 iterations are well within the limit, as in Kubernetes.
    c.add(accept("cost-nested-comprehension-within-limit",
        spec().claimRule("claims.medium.all(x, claims.medium.all(y, x == y))", "unreachable"),
        claims(JANE + "," + MEDIUM_LIST), user("jane")));

    // --- Kubernetes' own CEL libraries, through a real configuration ---
    c.add(accept("k8s-url-library-in-claim-rule", spec().usernameExpression("claims.username")
            .claimRule("url(claims.iss).getHost() == 'auth.example.com' && isURL(claims.iss)", "wrong host"),
        claims(JANE), user("jane")));
    c.add(reject("k8s-url-library-rule-false", spec().usernameExpression("claims.username")
            .claimRule("url(claims.iss).getScheme() == 'http'", "must be http"),
        claims(JANE), Reason.CLAIM_RULE_FAILED, "oidc: error evaluating claim validation expression: "
            + "validation expression 'url(claims.iss).getScheme() == 'http'' failed: must be http"));
    c.add(accept("k8s-regex-find-in-username", spec().usernameExpression("claims.mail.find('^[^@]+')"),
        claims("'mail':'jane@example.com'"), user("jane")));
    c.add(accept("k8s-lists-and-format-in-groups", spec().usernameExpression("claims.username")
            .groupsExpression("claims.groups.isSorted() ? ['sorted-%d'.format([claims.groups.size()])] : []"),
        claims(JANE + ",'groups':['a','b']"), new UserInfo("jane", "", List.of("sorted-2"), java.util.Map.of())));
    c.add(accept("k8s-cidr-in-claim-rule", spec().usernameExpression("claims.username")
            .claimRule("cidr('10.0.0.0/8').containsIP(claims.ip)", "outside the network"),
        claims(JANE + ",'ip':'10.1.2.3'"), user("jane")));
    c.add(accept("k8s-semver-in-claim-rule", spec().usernameExpression("claims.username")
            .claimRule("semver(claims.v).isGreaterThan(semver('1.2.0'))", "too old"),
        claims(JANE + ",'v':'1.10.0'"), user("jane")));

    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void authenticate(Case c) {
    run(c);
  }

  static void run(Case c) {
    JwtAuthenticator config = c.config();
    ConfigValidator.Validated v = ConfigValidator.validate(List.of(config), FieldPath.root("jwt"));
    List<String> errors = v.errors().stream().map(FieldError::toString).toList();
    if (c.wantConfigError() != null) {
      assertEquals(List.of(c.wantConfigError()), errors);
      return;
    }
    assertEquals(List.of(), errors, "the configuration must be valid");
    AuthResult got = authenticate(config, v.rules().get(0), c.claimsJson());
    if (c.want() != null) {
      Authenticated a = assertInstanceOf(Authenticated.class, got, () -> "expected " + c.want() + ", got " + got);
      assertEquals(c.want(), a.user());
      return;
    }
    Rejected r = assertInstanceOf(Rejected.class, got, () -> "expected " + c.wantReason() + ", got " + got);
    assertEquals(c.wantReason() + ": " + c.wantError(), r.reason() + ": " + r.detail());
  }

  static AuthResult authenticate(JwtAuthenticator config, CompiledRules rules, String claimsJson) {
    IssuerAuthenticator a = new IssuerAuthenticator(config, rules, List.of("RS256"),
        new StaticKeySource(ISSUER, List.of(KEY.toPublicJWK())), CLOCK);
    IssuerRouter router = new IssuerRouter(List.of(a), IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
    return router.authenticate(DevIssuer.sign(KEY, JWSAlgorithm.RS256, KEY.getKeyID(), claimsJson), StepListener.NONE);
  }

  // --- outside the table --------------------------------------------------------------------

  @Test
  void authenticateWhenCostLimitExceededThenRejects() {
    IssuerSpec spec = spec().claimRule("claims.big.map(x, claims.big.map(y, x + y)).size() > 0", "unreachable");
    JwtAuthenticator config = spec.build();
    CompiledRules rules = ConfigValidator.validate(List.of(config), FieldPath.root("jwt")).rules().get(0);
    String token = claims(JANE + "," + BIG_LIST);
    AuthResult got = authenticate(config, rules, token);
    Rejected r = assertInstanceOf(Rejected.class, got);
    assertEquals(Reason.CLAIM_RULE_FAILED, r.reason());
    assertTrue(r.detail().endsWith("operation cancelled: actual cost limit exceeded"), r.detail());
    // How long it takes is a benchmark's business (bench/), not a unit test's: only the outcome is asserted.
  }
}
