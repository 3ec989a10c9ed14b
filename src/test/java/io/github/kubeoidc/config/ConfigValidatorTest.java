package io.github.kubeoidc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.demo.DevCa;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of {@link ConfigValidator}, as the exact error lines a user reads. Modelled on Kubernetes'
 * {@code validation_test.go}: one YAML file per case, and the full list of {@code field.Error}s it yields.
 */
class ConfigValidatorTest {

  record Case(String name, String yaml, List<String> wantErrors) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final DevCa CA = new DevCa("test");
  private static final String CA_PEM = CA.certificatePem();

  /** A valid issuer, in YAML flow style: the body of {@code issuer: {...}}. */
  private static final String ISSUER = "url: \"https://issuer.example\", audiences: [my-client]";
  /** A valid {@code claimMappings} body. */
  private static final String USER = "username: {claim: sub, prefix: \"\"}";

  /** One {@code jwt} entry; {@code claimMappings} is left out when null; {@code more} are further keys. */
  private static String jwt(String issuer, String claimMappings, String... more) {
    StringBuilder b = new StringBuilder("- issuer: {").append(issuer).append("}\n");
    if (claimMappings != null) {
      b.append("  claimMappings: {").append(claimMappings).append("}\n");
    }
    for (String m : more) {
      b.append("  ").append(m).append('\n');
    }
    return b.toString();
  }

  private static String issuer(String url, String... more) {
    return Stream.concat(Stream.of("url: \"" + url + "\"", "audiences: [my-client]"), Stream.of(more))
        .collect(Collectors.joining(", "));
  }

  private static String file(String... jwts) {
    return "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n" + String.join("", jwts);
  }

  private static String yamlString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  private static Case ok(String name, String yaml) {
    return new Case(name, yaml, List.of());
  }

  private static Case bad(String name, String yaml, String... wantErrors) {
    return new Case(name, yaml, List.of(wantErrors));
  }

  static Stream<Case> cases() {
    String b64Ca = Base64.getEncoder().encodeToString(CA_PEM.getBytes(StandardCharsets.US_ASCII));
    String keyPem = CA.client("someone").privateKeyPem();
    return Stream.of(
        // --- valid files ---
        ok("minimal", file(jwt(ISSUER, USER))),
        ok("every-supported-field", file(jwt(
            "url: \"https://issuer.example/dex\", discoveryURL: \"https://internal.example/dex/.well-known/openid-configuration\", "
                + "certificateAuthority: " + yamlString(CA_PEM) + ", audiences: [a, b], audienceMatchPolicy: MatchAny",
            "username: {claim: email, prefix: \"oidc:\"}, groups: {claim: groups, prefix: \"oidc:\"}, uid: {claim: sub}",
            "claimValidationRules: [{claim: hd, requiredValue: example.com}, {claim: tier, requiredValue: \"\"}]"))),
        ok("base64-certificate-authority", file(jwt(issuer("https://issuer.example", "certificateAuthority: " + b64Ca), USER))),
        ok("single-audience-match-any", file(jwt(ISSUER + ", audienceMatchPolicy: MatchAny", USER))),
        ok("single-audience-empty-policy", file(jwt(ISSUER + ", audienceMatchPolicy: \"\"", USER))),
        ok("username-claim-without-prefix-takes-the-legacy-default", file(jwt(ISSUER, "username: {claim: sub}"))),
        ok("groups-claim-without-prefix-defaults-to-none", file(jwt(ISSUER, USER + ", groups: {claim: groups}"))),
        ok("groups-prefix-without-claim-is-ignored", file(jwt(ISSUER, USER + ", groups: {prefix: \"oidc:\"}"))),
        ok("empty-groups-and-uid", file(jwt(ISSUER, USER + ", groups: {}, uid: {}"))),
        ok("issuer-url-with-path-and-trailing-slash", file(jwt(issuer("https://issuer.example:8443/dex/"), USER))),
        ok("issuer-url-with-empty-query-and-fragment", file(jwt(issuer("https://issuer.example/?#"), USER))),
        ok("issuer-urls-differing-by-trailing-slash", file(
            jwt(issuer("https://issuer.example"), USER),
            jwt(issuer("https://issuer.example/"), USER))),
        ok("same-discovery-url-as-another-issuer-url", file(
            jwt(issuer("https://a.example"), USER),
            jwt(issuer("https://b.example", "discoveryURL: \"https://a.example\""), USER))),
        ok("egress-selector-type-ignored", file(jwt(ISSUER + ", egressSelectorType: controlplane", USER))),
        ok("exactly-64-authenticators", file(IntStream.range(0, 64)
            .mapToObj(i -> jwt(issuer("https://issuer-" + i + ".example"), USER)).toArray(String[]::new))),

        // --- issuer.url ---
        bad("http-issuer-url", file(jwt(issuer("http://issuer.example"), USER)),
            "jwt[0].issuer.url: Invalid value: \"http://issuer.example\": URL scheme must be https"),
        bad("issuer-url-without-scheme", file(jwt(issuer("issuer.example"), USER)),
            "jwt[0].issuer.url: Invalid value: \"issuer.example\": URL scheme must be https",
            "jwt[0].issuer.url: Invalid value: \"issuer.example\": URL must have a host"),
        bad("issuer-url-with-userinfo", file(jwt(issuer("https://user:secret@issuer.example"), USER)),
            "jwt[0].issuer.url: Invalid value: \"https://user:secret@issuer.example\": "
                + "URL must not contain a username or password"),
        bad("issuer-url-with-query", file(jwt(issuer("https://issuer.example?tenant=a"), USER)),
            "jwt[0].issuer.url: Invalid value: \"https://issuer.example?tenant=a\": URL must not contain a query"),
        bad("issuer-url-with-fragment", file(jwt(issuer("https://issuer.example/#top"), USER)),
            "jwt[0].issuer.url: Invalid value: \"https://issuer.example/#top\": URL must not contain a fragment"),
        bad("issuer-url-with-every-problem", file(jwt(issuer("http://u@issuer.example/?q=1#f"), USER)),
            "jwt[0].issuer.url: Invalid value: \"http://u@issuer.example/?q=1#f\": URL scheme must be https",
            "jwt[0].issuer.url: Invalid value: \"http://u@issuer.example/?q=1#f\": URL must not contain a username or password",
            "jwt[0].issuer.url: Invalid value: \"http://u@issuer.example/?q=1#f\": URL must not contain a query",
            "jwt[0].issuer.url: Invalid value: \"http://u@issuer.example/?q=1#f\": URL must not contain a fragment"),
        bad("issuer-url-not-a-url", file(jwt(issuer("https://issuer example"), USER)),
            "jwt[0].issuer.url: Invalid value: \"https://issuer example\": not a valid URL: Illegal character in authority"),
        bad("missing-issuer-url", file(jwt("audiences: [my-client]", USER)),
            "jwt[0].issuer.url: Required value"),
        bad("empty-issuer-url", file(jwt("url: \"\", audiences: [my-client]", USER)),
            "jwt[0].issuer.url: Required value"),
        bad("missing-issuer", file("- claimMappings: {" + USER + "}\n"),
            "jwt[0].issuer: Required value"),
        bad("duplicate-issuer-url", file(
            jwt(issuer("https://issuer.example"), USER),
            jwt(issuer("https://other.example"), USER),
            jwt(issuer("https://issuer.example"), USER)),
            "jwt[2].issuer.url: Duplicate value: \"https://issuer.example\""),

        // --- issuer.discoveryURL ---
        bad("discovery-url-not-https", file(jwt(ISSUER + ", discoveryURL: \"http://dex.internal/.well-known/openid-configuration\"", USER)),
            "jwt[0].issuer.discoveryURL: Invalid value: \"http://dex.internal/.well-known/openid-configuration\": "
                + "URL scheme must be https"),
        bad("discovery-url-with-query", file(jwt(ISSUER + ", discoveryURL: \"https://dex.internal/?x=1\"", USER)),
            "jwt[0].issuer.discoveryURL: Invalid value: \"https://dex.internal/?x=1\": URL must not contain a query"),
        bad("discovery-url-equal-to-url", file(jwt(ISSUER + ", discoveryURL: \"https://issuer.example\"", USER)),
            "jwt[0].issuer.discoveryURL: Invalid value: \"https://issuer.example\": discoveryURL must be different from URL"),
        bad("discovery-url-equal-to-url-but-for-trailing-slash",
            file(jwt(ISSUER + ", discoveryURL: \"https://issuer.example/\"", USER)),
            "jwt[0].issuer.discoveryURL: Invalid value: \"https://issuer.example/\": discoveryURL must be different from URL"),
        bad("discovery-url-equal-to-url-but-for-several-trailing-slashes",
            file(jwt(issuer("https://issuer.example/", "discoveryURL: \"https://issuer.example//\""), USER)),
            "jwt[0].issuer.discoveryURL: Invalid value: \"https://issuer.example//\": discoveryURL must be different from URL"),
        bad("duplicate-discovery-url", file(
            jwt(issuer("https://a.example", "discoveryURL: \"https://dex.internal/d\""), USER),
            jwt(issuer("https://b.example", "discoveryURL: \"https://dex.internal/d\""), USER)),
            "jwt[1].issuer.discoveryURL: Duplicate value: \"https://dex.internal/d\""),

        // --- issuer.certificateAuthority: never echoed ---
        bad("certificate-authority-neither-pem-nor-base64", file(jwt(ISSUER + ", certificateAuthority: \"not a certificate\"", USER)),
            "jwt[0].issuer.certificateAuthority: Invalid value: <omitted>: "
                + "certificate authority is neither PEM nor base64-encoded PEM"),
        bad("certificate-authority-base64-of-not-pem", file(jwt(ISSUER + ", certificateAuthority: \""
                + Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.US_ASCII)) + "\"", USER)),
            "jwt[0].issuer.certificateAuthority: Invalid value: <omitted>: "
                + "certificate authority is neither PEM nor base64-encoded PEM"),
        bad("certificate-authority-pem-without-certificate",
            file(jwt(ISSUER + ", certificateAuthority: " + yamlString(keyPem), USER)),
            "jwt[0].issuer.certificateAuthority: Invalid value: <omitted>: no PEM certificate found"),

        // --- issuer.audiences and audienceMatchPolicy ---
        bad("missing-audiences", file(jwt("url: \"https://issuer.example\"", USER)),
            "jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required"),
        bad("empty-audiences", file(jwt("url: \"https://issuer.example\", audiences: []", USER)),
            "jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required"),
        bad("empty-audience", file(jwt("url: \"https://issuer.example\", audiences: [a, \"\"], audienceMatchPolicy: MatchAny", USER)),
            "jwt[0].issuer.audiences[1]: Required value"),
        bad("blank-audience", file(jwt("url: \"https://issuer.example\", audiences: [\" \"]", USER)),
            "jwt[0].issuer.audiences[0]: Required value"),
        bad("null-audience", file(jwt("url: \"https://issuer.example\", audiences: [~]", USER)),
            "jwt[0].issuer.audiences[0]: Required value"),
        bad("duplicate-audience", file(jwt("url: \"https://issuer.example\", audiences: [a, b, a], audienceMatchPolicy: MatchAny", USER)),
            "jwt[0].issuer.audiences[2]: Duplicate value: \"a\""),
        bad("several-audiences-without-policy", file(jwt("url: \"https://issuer.example\", audiences: [a, b]", USER)),
            "jwt[0].issuer.audienceMatchPolicy: Invalid value: \"\": audienceMatchPolicy must be MatchAny for multiple audiences"),
        bad("several-audiences-unknown-policy", file(jwt("url: \"https://issuer.example\", audiences: [a, b], audienceMatchPolicy: MatchAll", USER)),
            "jwt[0].issuer.audienceMatchPolicy: Invalid value: \"MatchAll\": audienceMatchPolicy must be MatchAny for multiple audiences"),
        bad("single-audience-unknown-policy", file(jwt(ISSUER + ", audienceMatchPolicy: matchany", USER)),
            "jwt[0].issuer.audienceMatchPolicy: Invalid value: \"matchany\": "
                + "audienceMatchPolicy must be empty or MatchAny for single audience"),

        // --- claimValidationRules ---
        bad("claim-rule-with-claim-and-expression", file(jwt(ISSUER, USER,
                "claimValidationRules: [{claim: hd, requiredValue: example.com, expression: \"claims.hd == 'example.com'\"}]")),
            "jwt[0].claimValidationRules[0]: Invalid value: \"hd\": claim and expression can't both be set"),
        bad("claim-rule-with-neither-claim-nor-expression", file(jwt(ISSUER, USER,
                "claimValidationRules: [{claim: hd, requiredValue: a}, {requiredValue: example.com}]")),
            "jwt[0].claimValidationRules[1]: Required value: claim or expression is required"),
        bad("claim-rule-null", file(jwt(ISSUER, USER, "claimValidationRules: [~]")),
            "jwt[0].claimValidationRules[0]: Required value: claim or expression is required"),
        bad("claim-rule-message-with-claim", file(jwt(ISSUER, USER,
                "claimValidationRules: [{claim: hd, requiredValue: example.com, message: \"wrong domain\"}]")),
            "jwt[0].claimValidationRules[0].message: Invalid value: \"wrong domain\": may not be specified when claim is set"),
        bad("claim-rule-duplicate-claim", file(jwt(ISSUER, USER,
                "claimValidationRules: [{claim: hd, requiredValue: a}, {claim: tier, requiredValue: b}, {claim: hd, requiredValue: c}]")),
            "jwt[0].claimValidationRules[2].claim: Duplicate value: \"hd\""),
        bad("claim-rule-expression-compiles", file(jwt(ISSUER, USER,
                "claimValidationRules: [{expression: \"claims.hd == 'example.com'\", message: \"wrong domain\"}]"))),
        bad("claim-rule-required-value-with-expression", file(jwt(ISSUER, USER,
                "claimValidationRules: [{expression: \"claims.hd == 'example.com'\", requiredValue: example.com}]")),
            "jwt[0].claimValidationRules[0].requiredValue: Invalid value: \"example.com\": "
                + "may not be specified when expression is set"),
        bad("claim-rule-duplicate-expression", file(jwt(ISSUER, USER,
                "claimValidationRules: [{expression: \"claims.x == 'a'\"}, {expression: \"claims.x == 'a'\"}]")),
            "jwt[0].claimValidationRules[1].expression: Duplicate value: \"claims.x == 'a'\""),
        bad("claim-rule-expression-not-bool", file(jwt(ISSUER, USER, "claimValidationRules: [{expression: \"claims.x\"}]")),
            "jwt[0].claimValidationRules[0].expression: Invalid value: \"claims.x\": must evaluate to bool but got dyn"),
        bad("claim-rule-expression-does-not-compile", file(jwt(ISSUER, USER, "claimValidationRules: [{expression: \"claims.x ==\"}]")),
            "jwt[0].claimValidationRules[0].expression: Invalid value: \"claims.x ==\": compilation failed: ERROR: <input>:1:12: "
                + "mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, "
                + "NUM_UINT, STRING, BYTES, IDENTIFIER}\n | claims.x ==\n | ...........^"),
        bad("user-rule-unknown-field", file(jwt(ISSUER, USER, "userValidationRules: [{expression: \"user.name == 'x'\"}]")),
            "jwt[0].userValidationRules[0].expression: Invalid value: \"user.name == 'x'\": compilation failed: "
                + "ERROR: <input>:1:5: undefined field 'name'\n | user.name == 'x'\n | ....^"),
        bad("username-expression-with-email-needs-email-verified", file(jwt(ISSUER, "username: {expression: \"claims.email\"}")),
            "jwt[0].claimMappings.username.expression: Invalid value: \"claims.email\": claims.email_verified must be used in "
                + "claimMappings.username.expression or claimMappings.extra[*].valueExpression or "
                + "claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression"),
        bad("username-expression-with-optional-email-needs-email-verified",
            file(jwt(ISSUER, "username: {expression: \"claims.?email.orValue('x')\"}")),
            "jwt[0].claimMappings.username.expression: Invalid value: \"claims.?email.orValue('x')\": claims.email_verified must be used in "
                + "claimMappings.username.expression or claimMappings.extra[*].valueExpression or "
                + "claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression"),
        bad("username-expression-with-email-verified-in-rule", file(jwt(ISSUER, "username: {expression: \"claims.email\"}",
                "claimValidationRules: [{expression: \"claims.?email_verified.orValue(true) == true\"}]"))),
        bad("username-expression-with-email-verified-in-same-expression",
            file(jwt(ISSUER, "username: {expression: \"claims.email_verified ? claims.email : ''\"}"))),

        // --- claimMappings.username ---
        bad("missing-claim-mappings", file(jwt(ISSUER, null)),
            "jwt[0].claimMappings.username: Required value: claim or expression is required"),
        bad("missing-username", file(jwt(ISSUER, "groups: {claim: groups, prefix: \"\"}")),
            "jwt[0].claimMappings.username: Required value: claim or expression is required"),
        bad("username-with-neither-claim-nor-expression", file(jwt(ISSUER, "username: {prefix: \"oidc:\"}")),
            "jwt[0].claimMappings.username: Required value: claim or expression is required"),
        bad("username-with-claim-and-expression", file(jwt(ISSUER, "username: {claim: sub, prefix: \"\", expression: claims.sub}")),
            "jwt[0].claimMappings.username: Invalid value: \"\": claim and expression can't both be set"),
        bad("username-expression-compiles", file(jwt(ISSUER, "username: {expression: \"claims.sub\"}"))),
        bad("username-prefix-with-expression", file(jwt(ISSUER, "username: {expression: \"claims.sub\", prefix: \"oidc:\"}")),
            "jwt[0].claimMappings.username.prefix: Invalid value: \"oidc:\": may not be specified when expression is set"),
        bad("username-empty-prefix-with-expression", file(jwt(ISSUER, "username: {expression: \"claims.sub\", prefix: \"\"}")),
            "jwt[0].claimMappings.username.prefix: Invalid value: \"\": may not be specified when expression is set"),

        // --- claimMappings.groups and uid ---
        bad("groups-with-claim-and-expression", file(jwt(ISSUER, USER + ", groups: {claim: groups, prefix: \"\", expression: claims.groups}")),
            "jwt[0].claimMappings.groups: Invalid value: \"\": claim and expression can't both be set"),
        bad("groups-expression-compiles", file(jwt(ISSUER, USER + ", groups: {expression: \"claims.groups\"}"))),
        bad("groups-prefix-with-expression", file(jwt(ISSUER, USER + ", groups: {expression: \"claims.groups\", prefix: \"g:\"}")),
            "jwt[0].claimMappings.groups.prefix: Invalid value: \"g:\": may not be specified when expression is set"),
        bad("uid-with-claim-and-expression", file(jwt(ISSUER, USER + ", uid: {claim: sub, expression: claims.sub}")),
            "jwt[0].claimMappings.uid: Invalid value: \"\": claim and expression can't both be set"),
        bad("uid-expression-compiles", file(jwt(ISSUER, USER + ", uid: {expression: \"claims.sub\"}"))),

        // --- claimMappings.extra ---
        bad("extra-compiles", file(jwt(ISSUER, USER + ", extra: [{key: example.com/tenant, valueExpression: \"claims.tenant\"}]"))),
        bad("extra-key-not-domain-prefixed", file(jwt(ISSUER, USER + ", extra: [{key: tenant, valueExpression: \"'a'\"}]")),
            "jwt[0].claimMappings.extra[0].key: Invalid value: \"tenant\": "
                + "must be a domain-prefixed path (such as \"acme.io/foo\")"),
        bad("extra-key-with-empty-path", file(jwt(ISSUER, USER + ", extra: [{key: example.com/, valueExpression: \"'a'\"}]")),
            "jwt[0].claimMappings.extra[0].key: Invalid value: \"example.com/\": "
                + "must be a domain-prefixed path (such as \"acme.io/foo\")"),
        bad("extra-key-uppercase", file(jwt(ISSUER, USER + ", extra: [{key: example.com/Tenant, valueExpression: \"'a'\"}]")),
            "jwt[0].claimMappings.extra[0].key: Invalid value: \"example.com/Tenant\": must be lowercase"),
        bad("extra-key-kubernetes-io", file(jwt(ISSUER, USER + ", extra: [{key: kubernetes.io/foo, valueExpression: \"'a'\"}]")),
            "jwt[0].claimMappings.extra[0].key: Invalid value: \"kubernetes.io/foo\": "
                + "k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use"),
        bad("extra-key-kubernetes-io-subdomain", file(jwt(ISSUER, USER
                + ", extra: [{key: authentication.kubernetes.io/credential-id, valueExpression: \"'a'\"}]")),
            "jwt[0].claimMappings.extra[0].key: Invalid value: \"authentication.kubernetes.io/credential-id\": "
                + "k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use"),
        bad("extra-key-k8s-io", file(jwt(ISSUER, USER + ", extra: [{key: k8s.io/foo, valueExpression: \"'a'\"}]")),
            "jwt[0].claimMappings.extra[0].key: Invalid value: \"k8s.io/foo\": "
                + "k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use"),
        bad("extra-key-k8s-io-subdomain", file(jwt(ISSUER, USER + ", extra: [{key: sub.k8s.io/foo, valueExpression: \"'a'\"}]")),
            "jwt[0].claimMappings.extra[0].key: Invalid value: \"sub.k8s.io/foo\": "
                + "k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use"),
        bad("extra-key-lookalike-domain-not-reserved", file(jwt(ISSUER, USER + ", extra: [{key: notk8s.io/foo, valueExpression: \"'a'\"}]"))),
        bad("extra-duplicate-key", file(jwt(ISSUER, USER
                + ", extra: [{key: example.com/a, valueExpression: \"'1'\"}, {key: example.com/a, valueExpression: \"'2'\"}]")),
            "jwt[0].claimMappings.extra[1].key: Duplicate value: \"example.com/a\""),
        bad("extra-missing-key", file(jwt(ISSUER, USER + ", extra: [{valueExpression: \"'a'\"}]")),
            "jwt[0].claimMappings.extra[0].key: Required value"),
        bad("extra-missing-value-expression", file(jwt(ISSUER, USER + ", extra: [{key: example.com/a}]")),
            "jwt[0].claimMappings.extra[0].valueExpression: Required value"),
        bad("extra-null", file(jwt(ISSUER, USER + ", extra: [~]")),
            "jwt[0].claimMappings.extra[0]: Required value: key and valueExpression are required"),

        // --- userValidationRules ---
        bad("user-validation-rule-compiles", file(jwt(ISSUER, USER,
                "userValidationRules: [{expression: \"!user.username.startsWith('system:')\", message: \"no system users\"}]"))),
        bad("user-validation-rule-without-expression", file(jwt(ISSUER, USER, "userValidationRules: [{message: m}]")),
            "jwt[0].userValidationRules[0].expression: Required value"),

        // --- the jwt list ---
        bad("no-authenticators", "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt: []\n",
            "jwt: Required value: at least one jwt authenticator is required: this webhook only verifies JWTs"),
        bad("missing-jwt", "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n",
            "jwt: Required value: at least one jwt authenticator is required: this webhook only verifies JWTs"),
        bad("null-authenticator", file(jwt(ISSUER, USER), "- ~\n"),
            "jwt[1]: Required value: an authenticator is required"),
        bad("more-than-64-authenticators", file(IntStream.range(0, 65)
                .mapToObj(i -> jwt(issuer("https://issuer-" + i + ".example"), USER)).toArray(String[]::new)),
            "jwt: Too many: 65: must have at most 64 items"),

        // --- everything is reported at once ---
        bad("several-errors-all-reported", """
            apiVersion: apiserver.config.k8s.io/v1
            kind: Authentication
            jwt:
            - issuer:
                url: http://issuer.example
                discoveryURL: http://issuer.example
                audiences: [a, a]
              claimValidationRules:
              - claim: hd
                message: must be example.com
              claimMappings:
                username: {expression: claims.sub}
            - issuer:
                url: http://issuer.example
                certificateAuthority: not a certificate
              claimMappings:
                username: {claim: sub}
                uid: {expression: claims.sub}
              userValidationRules:
              - expression: "true"
            """,
            "kind: Unsupported value: \"Authentication\": supported values: \"AuthenticationConfiguration\"",
            "jwt[0].issuer.url: Invalid value: \"http://issuer.example\": URL scheme must be https",
            "jwt[0].issuer.discoveryURL: Invalid value: \"http://issuer.example\": URL scheme must be https",
            "jwt[0].issuer.discoveryURL: Invalid value: \"http://issuer.example\": discoveryURL must be different from URL",
            "jwt[0].issuer.audiences[1]: Duplicate value: \"a\"",
            "jwt[0].issuer.audienceMatchPolicy: Invalid value: \"\": audienceMatchPolicy must be MatchAny for multiple audiences",
            "jwt[0].claimValidationRules[0].message: Invalid value: \"must be example.com\": may not be specified when claim is set",
            "jwt[1].issuer.url: Invalid value: \"http://issuer.example\": URL scheme must be https",
            "jwt[1].issuer.url: Duplicate value: \"http://issuer.example\"",
            "jwt[1].issuer.certificateAuthority: Invalid value: <omitted>: "
                + "certificate authority is neither PEM nor base64-encoded PEM",
            "jwt[1].issuer.audiences: Required value: at least one jwt[1].issuer.audiences is required"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validate(Case c) throws Exception {
    run(c);
  }

  private static void run(Case c) throws ConfigException {
    AuthenticationConfiguration cfg = ConfigLoader.parse(c.yaml(), c.name());
    List<String> got = new ArrayList<>();
    try {
      ConfigValidator.Validated v = ConfigValidator.validateFile(cfg);
      assertEquals(cfg.jwt().size(), v.rules().size());
    } catch (ConfigException e) {
      e.errors().forEach(err -> got.add(err.toString()));
    }
    assertEquals(c.wantErrors(), got, () -> "errors for\n" + c.yaml());
  }

  @Test
  void caseNamesAreUniqueAndKebabCase() {
    List<String> names = cases().map(Case::name).toList();
    assertEquals(names.size(), names.stream().distinct().count(), "duplicate case names");
    names.forEach(n -> assertTrue(n.matches("[a-z0-9]+(-[a-z0-9]+)*"), n));
  }

  @Test
  void validateFileWhenCertificateAuthorityIsBadThenDataNeverAppears() throws Exception {
    String pemWithoutCert = CA.client("leak").privateKeyPem();
    String marker = pemWithoutCert.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    AuthenticationConfiguration cfg = ConfigLoader.parse(
        file(jwt(ISSUER + ", certificateAuthority: " + yamlString(pemWithoutCert), USER)), "test");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigValidator.validateFile(cfg));

    assertFalse(e.getMessage().contains(marker), e.getMessage());
    assertFalse(e.errors().toString().contains(marker));
    assertFalse(cfg.jwt().get(0).issuer().toString().contains(marker), "Issuer.toString must omit the CA");
  }

  @Test
  void validateFileWhenOneErrorThenMessageIsOneLine() throws Exception {
    AuthenticationConfiguration cfg = ConfigLoader.parse(file(jwt(issuer("http://issuer.example"), USER)), "test");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigValidator.validateFile(cfg));

    assertEquals("invalid configuration: jwt[0].issuer.url: Invalid value: \"http://issuer.example\": "
        + "URL scheme must be https", e.getMessage());
  }

  @Test
  void validateFileWhenSeveralErrorsThenMessageListsEachOnItsOwnLine() throws Exception {
    AuthenticationConfiguration cfg =
        ConfigLoader.parse(file(jwt("url: \"http://issuer.example\"", "username: {}")), "test");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigValidator.validateFile(cfg));

    assertEquals("""
        invalid configuration (3 errors):
          - jwt[0].issuer.url: Invalid value: "http://issuer.example": URL scheme must be https
          - jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required
          - jwt[0].claimMappings.username: Required value: claim or expression is required""", e.getMessage());
  }

  @Test
  void validateAuthenticatorsWhenPathGivenThenErrorsUseIt() {
    List<FieldError> errs = ConfigValidator.validateAuthenticators(List.of(), FieldPath.root("spec").child("jwt"));

    assertEquals(List.of("spec.jwt: Required value: at least one jwt authenticator is required: "
        + "this webhook only verifies JWTs"), errs.stream().map(FieldError::toString).toList());
  }

  @Test
  void fieldErrorWhenValueHasControlCharactersThenTheyAreEscaped() {
    FieldError e = FieldError.invalid(FieldPath.root("jwt").index(0).child("issuer").child("url"),
        "https://a\n\"b\"\t\\\u0001", "bad");

    assertEquals("jwt[0].issuer.url: Invalid value: \"https://a\\n\\\"b\\\"\\t\\\\\\x01\": bad", e.toString());
  }
}
