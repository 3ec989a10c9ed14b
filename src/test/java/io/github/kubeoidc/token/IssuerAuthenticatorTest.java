package io.github.kubeoidc.token;

import static io.github.kubeoidc.token.IssuerSpec.issuer;
import static io.github.kubeoidc.token.Tokens.compact;
import static io.github.kubeoidc.token.Tokens.declaringAlg;
import static io.github.kubeoidc.token.Tokens.hs256WithPublicKey;
import static io.github.kubeoidc.token.Tokens.replaceWith;
import static io.github.kubeoidc.token.Tokens.signWithHeader;
import static io.github.kubeoidc.token.Tokens.swapPayload;
import static io.github.kubeoidc.token.Tokens.withKid;
import static io.github.kubeoidc.token.Tokens.withoutKid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.StaticKeySource;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import io.github.kubeoidc.token.AuthResult.Rejected;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier pipeline as one table, after Kubernetes' {@code oidc_test.go} {@code TestToken}: each case
 * is a configuration, keys, a claims document, and the exact user or the exact rejection. Every token goes
 * through an {@link IssuerRouter}, so routing is exercised by every case.
 *
 * <p>Time is pinned at 2009-11-10T23:00:00Z. Claims JSON is written with single quotes, turned into
 * double quotes by {@link #json(String)}.
 */
class IssuerAuthenticatorTest {
  static final String ISSUER = "https://auth.example.com";
  /** Always configured beside the case's issuer: the same URL with a trailing slash is another issuer. */
  static final String SLASH_ISSUER = ISSUER + "/";
  static final Instant NOW = Instant.parse("2009-11-10T23:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final long NOW_S = NOW.getEpochSecond();
  static final long VALID = NOW_S + 3600;
  static final long EXPIRED = NOW_S - 3600;

  /** {@code --oidc-signing-algs} default. */
  static final List<String> LEGACY_ALGS = List.of("RS256");
  /** What a configuration file allows. */
  static final List<String> ALL_ALGS =
      List.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512");

  // Generated once per class (RSA generation is the slow part of this test).
  static final RSAKey RSA_1 = Tokens.rsa("rsa-1");
  static final RSAKey RSA_2 = Tokens.rsa("rsa-2");
  static final ECKey EC_256 = Tokens.ec(Curve.P_256, "ec-256");
  static final ECKey EC_384 = Tokens.ec(Curve.P_384, "ec-384");
  static final ECKey EC_521 = Tokens.ec(Curve.P_521, "ec-521");

  static final JwtAuthenticator SLASH_NEIGHBOUR = issuer(SLASH_ISSUER).username("username", "slash:").build();

  record Case(
      String name,
      JwtAuthenticator config,
      List<String> allowedAlgs,
      JWK signingKey,
      JWSAlgorithm alg,
      List<JWK> publishedKeys,
      String claimsJson,
      UserInfo want,
      Reason wantReason,
      String wantError,
      /* Applied to the signed token: hostile shapes, swapped payloads, hand-made tokens. */
      UnaryOperator<String> tamper) {

    Case signedBy(JWK key, JWSAlgorithm alg) {
      return new Case(name, config, allowedAlgs, key, alg, publishedKeys, claimsJson, want, wantReason, wantError, tamper);
    }

    Case publishing(JWK... keys) {
      List<JWK> pub = Arrays.stream(keys).map(JWK::toPublicJWK).toList();
      return new Case(name, config, allowedAlgs, signingKey, alg, pub, claimsJson, want, wantReason, wantError, tamper);
    }

    Case allowing(List<String> algs) {
      return new Case(name, config, algs, signingKey, alg, publishedKeys, claimsJson, want, wantReason, wantError, tamper);
    }

    Case tampered(UnaryOperator<String> f) {
      return new Case(name, config, allowedAlgs, signingKey, alg, publishedKeys, claimsJson, want, wantReason, wantError, f);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A token that authenticates as {@code want}. Signed with RSA_1 (kid rsa-1), RS256, RS256 allowed. */
  static Case accept(String name, IssuerSpec spec, String claims, UserInfo want) {
    return new Case(name, spec.build(), LEGACY_ALGS, RSA_1, JWSAlgorithm.RS256, List.of(RSA_1.toPublicJWK()),
        claims, want, null, null, UnaryOperator.identity());
  }

  /** A token rejected with exactly this reason and {@code status.error} text. */
  static Case reject(String name, IssuerSpec spec, String claims, Reason reason, String error) {
    return new Case(name, spec.build(), LEGACY_ALGS, RSA_1, JWSAlgorithm.RS256, List.of(RSA_1.toPublicJWK()),
        claims, null, reason, error, UnaryOperator.identity());
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

  static long at(long secondsFromNow) {
    return NOW_S + secondsFromNow;
  }

  static UserInfo user(String name) {
    return new UserInfo(name, "", List.of(), Map.of());
  }

  static UserInfo user(String name, List<String> groups) {
    return new UserInfo(name, "", groups, Map.of());
  }

  static UserInfo user(String name, String uid, Map<String, List<String>> extra) {
    return new UserInfo(name, uid, List.of(), extra);
  }

  /** Rejections the router makes before any issuer sees the token. */
  static final Set<Reason> ROUTER_REASONS = Set.of(Reason.NOT_A_JWT, Reason.UNKNOWN_ISSUER, Reason.TOKEN_TOO_LARGE);

  static final String JANE = "'username':'jane'";
  static final String ALG_LIST_ALL = "[ES256, ES384, ES512, PS256, PS384, PS512, RS256, RS384, RS512]";
  static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";

  static Stream<Case> cases() {
    List<Case> c = new ArrayList<>();

    // --- username ---------------------------------------------------------------------------
    c.add(accept("token", spec(), claims(JANE), user("jane")));
    // Ours: Kubernetes rejects a claim mapping without a prefix at load; we default like
    // --oidc-username-prefix does: the issuer URL and "#" for any claim but email.
    c.add(accept("username-prefix-unset-defaults-to-issuer-hash", spec().username("sub", null),
        claims("'sub':'1234'"), user(ISSUER + "#1234")));
    c.add(accept("username-prefix-unset-other-claim", spec().username("preferred_username", null),
        claims("'preferred_username':'jane'"), user(ISSUER + "#jane")));
    c.add(accept("username-prefix", spec().username("username", "oidc:"), claims(JANE), user("oidc:jane")));
    c.add(accept("username-prefix-empty", spec().username("sub", ""), claims("'sub':'1234'"), user("1234")));
    c.add(reject("no-username", spec(), claims(""),
        Reason.USERNAME_INVALID, "oidc: parse username claims \"username\": claim not present"));
    c.add(reject("username-not-a-string", spec(), claims("'username':42"),
        Reason.USERNAME_INVALID, "oidc: parse username claims \"username\": claim is not a string"));
    c.add(reject("username-array", spec(), claims("'username':['jane']"),
        Reason.USERNAME_INVALID, "oidc: parse username claims \"username\": claim is not a string"));
    // Ours: Kubernetes reads null as "" and would authenticate a user named by the prefix alone.
    c.add(reject("username-null", spec(), claims("'username':null"),
        Reason.USERNAME_INVALID, "oidc: parse username claims \"username\": claim is not a string"));
    // Ours: Kubernetes accepts an empty username claim (the user is then just the prefix); we refuse it.
    c.add(reject("username-empty-string", spec().username("username", "oidc:"), claims("'username':''"),
        Reason.USERNAME_INVALID, "oidc: parse username claims \"username\": claim is empty"));

    // --- email and email_verified -------------------------------------------------------------
    c.add(accept("email", spec().username("email", null),
        claims("'email':'jane@example.com','email_verified':true"), user("jane@example.com")));
    c.add(accept("email-explicit-prefix", spec().username("email", "oidc:"),
        claims("'email':'jane@example.com','email_verified':true"), user("oidc:jane@example.com")));
    c.add(reject("email-not-verified", spec().username("email", null),
        claims("'email':'jane@example.com','email_verified':false"), Reason.EMAIL_NOT_VERIFIED, "oidc: email not verified"));
    c.add(accept("no-email-verified-claim", spec().username("email", null),
        claims("'email':'jane@example.com'"), user("jane@example.com")));
    c.add(reject("email-verified-string-true", spec().username("email", null),
        claims("'email':'jane@example.com','email_verified':'true'"),
        Reason.EMAIL_NOT_VERIFIED, "oidc: parse 'email_verified' claim: not a boolean"));
    c.add(reject("invalid-email-verified-claim", spec().username("email", null),
        claims("'email':'jane@example.com','email_verified':'false'"),
        Reason.EMAIL_NOT_VERIFIED, "oidc: parse 'email_verified' claim: not a boolean"));
    // Kubernetes decodes null into false and says "email not verified": the same outcome, other words.
    c.add(reject("email-verified-null", spec().username("email", null),
        claims("'email':'jane@example.com','email_verified':null"),
        Reason.EMAIL_NOT_VERIFIED, "oidc: parse 'email_verified' claim: not a boolean"));
    c.add(reject("email-verified-number", spec().username("email", ""),
        claims("'email':'jane@example.com','email_verified':1"),
        Reason.EMAIL_NOT_VERIFIED, "oidc: parse 'email_verified' claim: not a boolean"));
    c.add(accept("email-verified-ignored-for-other-username-claims", spec(),
        claims(JANE + ",'email':'jane@example.com','email_verified':false"), user("jane")));
    c.add(reject("email-missing", spec().username("email", null), claims(JANE),
        Reason.USERNAME_INVALID, "oidc: parse username claims \"email\": claim not present"));

    // --- groups -------------------------------------------------------------------------------
    IssuerSpec groups = spec().groups("groups", "");
    String badGroups = "oidc: parse groups claim \"groups\": must be a string or an array of strings";
    c.add(accept("groups", groups, claims(JANE + ",'groups':['team1','team2']"), user("jane", List.of("team1", "team2"))));
    c.add(accept("group-string-claim", spec().groups("groups", ""), claims(JANE + ",'groups':'team1'"), user("jane", List.of("team1"))));
    c.add(accept("no-groups-claim", spec().groups("groups", ""), claims(JANE), user("jane")));
    c.add(accept("groups-null", spec().groups("groups", ""), claims(JANE + ",'groups':null"), user("jane")));
    c.add(accept("groups-empty-array", spec().groups("groups", ""), claims(JANE + ",'groups':[]"), user("jane")));
    c.add(accept("groups-prefix", spec().username("username", "oidc:").groups("groups", "groups:"),
        claims(JANE + ",'groups':['team1','team2']"), user("oidc:jane", List.of("groups:team1", "groups:team2"))));
    c.add(accept("groups-prefix-single-string", spec().groups("groups", "groups:"),
        claims(JANE + ",'groups':'team1'"), user("jane", List.of("groups:team1"))));
    // Ours: a missing groups prefix defaults to "" where Kubernetes requires one.
    c.add(accept("groups-prefix-unset", spec().groups("groups", null),
        claims(JANE + ",'groups':['team1']"), user("jane", List.of("team1"))));
    c.add(accept("groups-not-mapped-are-ignored", spec(), claims(JANE + ",'groups':['team1']"), user("jane")));
    c.add(reject("invalid-groups-claim", spec().groups("groups", ""), claims(JANE + ",'groups':42"),
        Reason.GROUPS_INVALID, badGroups));
    c.add(reject("groups-array-with-non-string", spec().groups("groups", ""), claims(JANE + ",'groups':['team1',7]"),
        Reason.GROUPS_INVALID, badGroups));
    // Ours: Go decodes a null element into "" and keeps it as a group; we refuse the token.
    c.add(reject("groups-array-with-null", spec().groups("groups", ""), claims(JANE + ",'groups':['team1',null]"),
        Reason.GROUPS_INVALID, badGroups));
    c.add(reject("groups-object", spec().groups("groups", ""), claims(JANE + ",'groups':{'team1':true}"),
        Reason.GROUPS_INVALID, badGroups));

    // --- uid and extra ------------------------------------------------------------------------
    c.add(accept("uid-claim", spec().uid("uid"), claims(JANE + ",'uid':'1234-5678'"), user("jane", "1234-5678", Map.of())));
    c.add(reject("uid-claim-missing", spec().uid("uid"), claims(JANE),
        Reason.UID_INVALID, "oidc: parse uid claim \"uid\": claim not present"));
    c.add(reject("uid-claim-not-a-string", spec().uid("uid"), claims(JANE + ",'uid':1234"),
        Reason.UID_INVALID, "oidc: parse uid claim \"uid\": claim is not a string"));
    c.add(accept("uid-not-mapped", spec(), claims(JANE + ",'uid':'1234'"), user("jane")));
    c.add(accept("jti-credential-id", spec(), claims(JANE + ",'jti':'abc-123'"),
        user("jane", "", Map.of(CREDENTIAL_ID, List.of("JTI=abc-123")))));
    c.add(accept("jti-not-a-string", spec(), claims(JANE + ",'jti':123"), user("jane")));
    // Kubernetes' CredentialIDForJTI yields nothing for an empty jti.
    c.add(accept("jti-empty-string", spec(), claims(JANE + ",'jti':''"), user("jane")));

    // --- required claims (claimValidationRules claim/requiredValue) ------------------------------
    IssuerSpec hd = spec().requiredClaim("hd", "example.com");
    c.add(accept("required-claim", spec().requiredClaim("hd", "example.com").requiredClaim("sub", "test"),
        claims(JANE + ",'hd':'example.com','sub':'test'"), user("jane")));
    c.add(reject("no-required-claim", hd, claims(JANE),
        Reason.REQUIRED_CLAIM, "oidc: required claim hd not present in ID token"));
    c.add(reject("invalid-required-claim", spec().requiredClaim("hd", "example.com"), claims(JANE + ",'hd':'example.org'"),
        Reason.REQUIRED_CLAIM, "oidc: required claim hd value does not match. Got = example.org, want = example.com"));
    c.add(reject("required-claim-not-a-string", spec().requiredClaim("hd", "example.com"), claims(JANE + ",'hd':true"),
        Reason.REQUIRED_CLAIM, "oidc: parse claim hd: not a string"));
    c.add(reject("required-claims-first-failure-wins", spec().requiredClaim("hd", "example.com").requiredClaim("org", "acme"),
        claims(JANE + ",'hd':'example.com','org':'evil'"),
        Reason.REQUIRED_CLAIM, "oidc: required claim org value does not match. Got = evil, want = acme"));
    // As Kubernetes: the user is mapped before the required claims are checked.
    c.add(reject("mapping-error-before-required-claim", spec().requiredClaim("hd", "example.com"), claims(""),
        Reason.USERNAME_INVALID, "oidc: parse username claims \"username\": claim not present"));

    // --- audiences ----------------------------------------------------------------------------
    c.add(reject("invalid-aud", spec(),
        json("{'iss':'" + ISSUER + "','aud':'not-my-client','exp':" + VALID + "," + JANE + "}"),
        Reason.AUDIENCE_MISMATCH, "oidc: expected audience in [\"my-client\"] got [\"not-my-client\"]"));
    // azp is not checked.
    c.add(accept("multiple-audiences", spec(),
        json("{'iss':'" + ISSUER + "','aud':['not-my-client','my-client'],'azp':'not-my-client','exp':" + VALID + "," + JANE + "}"),
        user("jane")));
    c.add(accept("configured-audiences-match-any", spec().audiences("client-a", "client-b"),
        json("{'iss':'" + ISSUER + "','aud':'client-b','exp':" + VALID + "," + JANE + "}"), user("jane")));
    c.add(reject("configured-audiences-none-match", spec().audiences("client-a", "client-b"),
        json("{'iss':'" + ISSUER + "','aud':['client-c','my-client'],'exp':" + VALID + "," + JANE + "}"),
        Reason.AUDIENCE_MISMATCH, "oidc: expected audience in [\"client-a\", \"client-b\"] got [\"client-c\", \"my-client\"]"));
    c.add(reject("aud-missing", spec(), json("{'iss':'" + ISSUER + "','exp':" + VALID + "," + JANE + "}"),
        Reason.AUDIENCE_MISMATCH, "oidc: expected audience in [\"my-client\"] got []"));
    c.add(reject("aud-empty-array", spec(), json("{'iss':'" + ISSUER + "','aud':[],'exp':" + VALID + "," + JANE + "}"),
        Reason.AUDIENCE_MISMATCH, "oidc: expected audience in [\"my-client\"] got []"));
    c.add(reject("aud-number", spec(), json("{'iss':'" + ISSUER + "','aud':7,'exp':" + VALID + "," + JANE + "}"),
        Reason.INVALID_CLAIM, "oidc: claim \"aud\" must be a string or an array of strings"));
    c.add(reject("aud-array-with-non-string", spec(),
        json("{'iss':'" + ISSUER + "','aud':['my-client',7],'exp':" + VALID + "," + JANE + "}"),
        Reason.INVALID_CLAIM, "oidc: claim \"aud\" must be a string or an array of strings"));
    c.add(reject("aud-null", spec(), json("{'iss':'" + ISSUER + "','aud':null,'exp':" + VALID + "," + JANE + "}"),
        Reason.INVALID_CLAIM, "oidc: claim \"aud\" must be a string or an array of strings"));

    // --- exp, nbf, iat ------------------------------------------------------------------------
    String base = "'iss':'" + ISSUER + "','aud':'my-client'," + JANE;
    c.add(reject("expired", spec(), json("{" + base + ",'exp':" + EXPIRED + "}"),
        Reason.EXPIRED, "oidc: token is expired (Token Expiry: 2009-11-10T22:00:00Z)"));
    // Zero leeway: a token is valid through its exp second and expired one second later.
    c.add(accept("exp-exactly-now", spec(), json("{" + base + ",'exp':" + NOW_S + "}"), user("jane")));
    c.add(reject("exp-one-second-past", spec(), json("{" + base + ",'exp':" + at(-1) + "}"),
        Reason.EXPIRED, "oidc: token is expired (Token Expiry: 2009-11-10T22:59:59Z)"));
    // Ours: go-oidc reads a missing exp as the zero time ("expired"); we name the missing claim.
    c.add(reject("exp-missing", spec(), json("{" + base + "}"),
        Reason.INVALID_CLAIM, "oidc: claim \"exp\" is required"));
    c.add(reject("exp-null", spec(), json("{" + base + ",'exp':null}"),
        Reason.INVALID_CLAIM, "oidc: claim \"exp\" must be a number"));
    // Ours: Go's json.Number also takes a numeric string; RFC 7519 §2 NumericDate is a JSON number.
    c.add(reject("exp-string", spec(), json("{" + base + ",'exp':'" + VALID + "'}"),
        Reason.INVALID_CLAIM, "oidc: claim \"exp\" must be a number"));
    c.add(reject("exp-huge-integer", spec(), json("{" + base + ",'exp':100000000000000000000000}"),
        Reason.INVALID_CLAIM, "oidc: claim \"exp\" is out of range"));
    c.add(reject("exp-huge-float", spec(), json("{" + base + ",'exp':1e300}"),
        Reason.INVALID_CLAIM, "oidc: claim \"exp\" is out of range"));
    // 1e400 overflows a double to Infinity.
    c.add(reject("exp-beyond-double-range", spec(), json("{" + base + ",'exp':1e400}"),
        Reason.INVALID_CLAIM, "oidc: claim \"exp\" is out of range"));
    c.add(reject("exp-negative-beyond-double-range", spec(), json("{" + base + ",'exp':-1e400}"),
        Reason.INVALID_CLAIM, "oidc: claim \"exp\" is out of range"));
    c.add(accept("exp-fractional-valid", spec(), json("{" + base + ",'exp':" + NOW_S + ".5}"), user("jane")));
    c.add(reject("exp-fractional-expired", spec(), json("{" + base + ",'exp':" + at(-1) + ".5}"),
        Reason.EXPIRED, "oidc: token is expired (Token Expiry: 2009-11-10T22:59:59.500Z)"));
    c.add(accept("nbf-past", spec(), claims(JANE + ",'nbf':" + at(-60)), user("jane")));
    c.add(accept("nbf-future-within-leeway", spec(), claims(JANE + ",'nbf':" + at(59)), user("jane")));
    c.add(accept("nbf-future-at-leeway", spec(), claims(JANE + ",'nbf':" + at(60)), user("jane")));
    c.add(reject("nbf-future-beyond-leeway", spec(), claims(JANE + ",'nbf':" + at(61)),
        Reason.NOT_YET_VALID, "oidc: current time 2009-11-10T23:00:00Z before the nbf (not before) time: 2009-11-10T23:01:01Z"));
    c.add(reject("nbf-string", spec(), claims(JANE + ",'nbf':'" + NOW_S + "'"),
        Reason.INVALID_CLAIM, "oidc: claim \"nbf\" must be a number"));
    c.add(reject("nbf-null", spec(), claims(JANE + ",'nbf':null"),
        Reason.INVALID_CLAIM, "oidc: claim \"nbf\" must be a number"));
    // iat is not checked against the clock (as Kubernetes), only its type.
    c.add(accept("iat-in-the-future", spec(), claims(JANE + ",'iat':" + at(86400)), user("jane")));
    c.add(reject("iat-string", spec(), claims(JANE + ",'iat':'yesterday'"),
        Reason.INVALID_CLAIM, "oidc: claim \"iat\" must be a number"));
    // go-oidc checks claims before the signature; we keep signature first (style.md §1.2).
    c.add(reject("bad-signature-reported-before-expiry", spec(), json("{" + base + ",'exp':" + EXPIRED + "}"),
        Reason.INVALID_SIGNATURE, "oidc: failed to verify signature").signedBy(withKid(RSA_2, "rsa-1"), JWSAlgorithm.RS256));
    c.add(reject("expiry-reported-before-audience", spec(),
        json("{'iss':'" + ISSUER + "','aud':'not-my-client','exp':" + EXPIRED + "," + JANE + "}"),
        Reason.EXPIRED, "oidc: token is expired (Token Expiry: 2009-11-10T22:00:00Z)"));

    // --- routing ------------------------------------------------------------------------------
    c.add(reject("invalid-issuer", spec(), json("{'iss':'https://example.com','aud':'my-client','exp':" + VALID + "," + JANE + "}"),
        Reason.UNKNOWN_ISSUER, ""));
    c.add(reject("issuer-case-differs", spec(), json("{'iss':'https://AUTH.example.com','aud':'my-client','exp':" + VALID + "," + JANE + "}"),
        Reason.UNKNOWN_ISSUER, ""));
    c.add(reject("issuer-trailing-slash-not-configured", issuer("https://idp.example.com"),
        json("{'iss':'https://idp.example.com/','aud':'my-client','exp':" + VALID + "," + JANE + "}"),
        Reason.UNKNOWN_ISSUER, ""));
    c.add(accept("issuer-trailing-slash-routes-to-its-own-authenticator", spec(),
        json("{'iss':'" + SLASH_ISSUER + "','aud':'my-client','exp':" + VALID + "," + JANE + "}"), user("slash:jane")));
    c.add(accept("accounts.google.com-issuer", issuer("https://accounts.google.com").username("email", null),
        json("{'iss':'accounts.google.com','email':'thomas.jefferson@gmail.com','aud':'my-client','exp':" + VALID + "}"),
        user("thomas.jefferson@gmail.com")));
    c.add(accept("accounts.google.com-issuer-with-scheme", issuer("https://accounts.google.com").username("email", null),
        json("{'iss':'https://accounts.google.com','email':'thomas.jefferson@gmail.com','aud':'my-client','exp':" + VALID + "}"),
        user("thomas.jefferson@gmail.com")));
    c.add(reject("scheme-less-iss-only-for-google", spec(),
        json("{'iss':'auth.example.com','aud':'my-client','exp':" + VALID + "," + JANE + "}"), Reason.UNKNOWN_ISSUER, ""));
    c.add(reject("iss-missing", spec(), json("{'aud':'my-client','exp':" + VALID + "," + JANE + "}"), Reason.NOT_A_JWT, ""));
    c.add(reject("iss-not-a-string", spec(), json("{'iss':['" + ISSUER + "'],'aud':'my-client','exp':" + VALID + "," + JANE + "}"),
        Reason.NOT_A_JWT, ""));
    c.add(reject("not-a-jwt", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(replaceWith("this is not a jwt")));
    c.add(reject("empty-token", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(replaceWith("")));
    c.add(reject("two-parts", spec(), claims(JANE), Reason.NOT_A_JWT, "")
        .tampered(t -> t.substring(0, t.lastIndexOf('.'))));
    c.add(reject("five-parts-jwe-like", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(t -> t + ".AAAA.BBBB"));
    c.add(reject("base64-padding", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(t -> t + "="));
    c.add(reject("whitespace", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(t -> t + "\n"));
    c.add(reject("bearer-prefix", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(t -> "Bearer " + t));
    c.add(reject("json-serialization", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(t -> {
      String[] p = t.split("\\.");
      return json("{'payload':'" + p[1] + "','signatures':[{'protected':'" + p[0] + "','signature':'" + p[2] + "'}]}");
    }));
    c.add(reject("payload-not-json", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(swapPayload("hello")));
    c.add(reject("payload-json-array", spec(), claims(JANE), Reason.NOT_A_JWT, "").tampered(swapPayload(json("['" + ISSUER + "']"))));
    // Ours: RFC 7519 §4 lets a parser reject duplicate member names; Go would take the last one.
    c.add(reject("duplicate-claim-names", spec(), claims(JANE + ",'sub':'alice','sub':'admin'"), Reason.NOT_A_JWT, ""));
    c.add(reject("duplicate-iss", spec(), claims(JANE + ",'iss':'https://evil.example.com'"), Reason.NOT_A_JWT, ""));
    c.add(reject("deeply-nested-json", spec(), claims(JANE + ",'deep':" + "[".repeat(100) + "]".repeat(100)), Reason.NOT_A_JWT, ""));
    c.add(reject("token-too-large", spec(), claims(JANE + ",'pad':'" + "x".repeat(IssuerRouter.DEFAULT_MAX_TOKEN_BYTES) + "'"),
        Reason.TOKEN_TOO_LARGE, "oidc: token exceeds " + IssuerRouter.DEFAULT_MAX_TOKEN_BYTES + " bytes"));

    // --- algorithms ---------------------------------------------------------------------------
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512)) {
      c.add(accept(alg.getName().toLowerCase(), spec(), claims(JANE), user("jane")).signedBy(RSA_1, alg).allowing(ALL_ALGS));
    }
    c.add(accept("es256", spec(), claims(JANE), user("jane")).signedBy(EC_256, JWSAlgorithm.ES256).publishing(EC_256).allowing(ALL_ALGS));
    c.add(accept("es384", spec(), claims(JANE), user("jane")).signedBy(EC_384, JWSAlgorithm.ES384).publishing(EC_384).allowing(ALL_ALGS));
    // Two published keys, the second one verifies (by kid).
    c.add(accept("es512", spec(), claims(JANE), user("jane"))
        .signedBy(EC_521, JWSAlgorithm.ES512).publishing(EC_256, EC_521).allowing(ALL_ALGS));
    c.add(reject("invalid-signing-alg", spec(), claims(JANE),
        Reason.ALGORITHM_NOT_ALLOWED, "oidc: token signed with algorithm \"PS256\", expected one of [RS256]")
        .signedBy(RSA_1, JWSAlgorithm.PS256));
    c.add(reject("es256-not-allowed-by-legacy-default", spec(), claims(JANE),
        Reason.ALGORITHM_NOT_ALLOWED, "oidc: token signed with algorithm \"ES256\", expected one of [RS256]")
        .signedBy(EC_256, JWSAlgorithm.ES256).publishing(EC_256));
    c.add(reject("alg-none", spec(), claims(JANE), Reason.MALFORMED_TOKEN, "oidc: malformed jwt: Invalid JWS header: Not a JWS header")
        .tampered(replaceWith(compact(json("{'alg':'none'}"), claims(JANE), ""))));
    c.add(reject("alg-none-with-signature", spec(), claims(JANE), Reason.MALFORMED_TOKEN, "oidc: malformed jwt: Invalid JWS header: Not a JWS header")
        .tampered(replaceWith(compact(json("{'alg':'none','kid':'rsa-1'}"), claims(JANE), "c2lnbmF0dXJl"))).allowing(ALL_ALGS));
    c.add(reject("alg-none-uppercase", spec(), claims(JANE),
        Reason.ALGORITHM_NOT_ALLOWED, "oidc: token signed with algorithm \"NONE\", expected one of " + ALG_LIST_ALL)
        .tampered(replaceWith(compact(json("{'alg':'NONE'}"), claims(JANE), "c2lnbmF0dXJl"))).allowing(ALL_ALGS));
    c.add(reject("alg-hs256-hand-built", spec(), claims(JANE),
        Reason.ALGORITHM_NOT_ALLOWED, "oidc: token signed with algorithm \"HS256\", expected one of " + ALG_LIST_ALL)
        .tampered(replaceWith(compact(json("{'alg':'HS256','kid':'rsa-1','typ':'JWT'}"), claims(JANE), "c2lnbmF0dXJl")))
        .allowing(ALL_ALGS));
    c.add(reject("hs256-keyed-with-rsa-public-key", spec(), claims(JANE),
        Reason.ALGORITHM_NOT_ALLOWED, "oidc: token signed with algorithm \"HS256\", expected one of [RS256]")
        .tampered(replaceWith(hs256WithPublicKey(RSA_1, claims(JANE)))));
    c.add(reject("alg-missing", spec(), claims(JANE), Reason.MALFORMED_TOKEN,
        "oidc: malformed jwt: Invalid JWS header: Missing \"alg\" in header JSON object")
        .tampered(replaceWith(compact(json("{'kid':'rsa-1'}"), claims(JANE), "c2lnbmF0dXJl"))));
    c.add(reject("header-not-json", spec(), claims(JANE), Reason.MALFORMED_TOKEN,
        "oidc: malformed jwt: Invalid JWS header: Invalid JSON object")
        .tampered(t -> Tokens.b64("not json") + t.substring(t.indexOf('.'))));
    c.add(reject("signature-stripped", spec(), claims(JANE), Reason.MALFORMED_TOKEN, "oidc: malformed jwt: The signature must not be empty")
        .tampered(t -> t.substring(0, t.lastIndexOf('.') + 1)));
    // RFC 7515 §4.1.11: a critical header parameter the verifier does not understand rejects the token.
    c.add(reject("crit-header-not-understood", spec(), claims(JANE), Reason.MALFORMED_TOKEN,
        "oidc: malformed jwt: unsupported critical header parameters [\"https://example.com/must-understand\"]")
        .tampered(replaceWith(signWithHeader(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
            .criticalParams(Set.of("https://example.com/must-understand"))
            .customParam("https://example.com/must-understand", true).build(), RSA_1, claims(JANE)))));

    // --- keys ---------------------------------------------------------------------------------
    c.add(reject("kid-unknown", spec(), claims(JANE),
        Reason.KEY_NOT_FOUND, "oidc: no RS256 key with kid \"rsa-2\" in the issuer's key set").signedBy(RSA_2, JWSAlgorithm.RS256));
    c.add(accept("no-kid-second-key-verifies", spec(), claims(JANE), user("jane"))
        .signedBy(withoutKid(RSA_1), JWSAlgorithm.RS256).publishing(RSA_2, RSA_1));
    c.add(accept("no-kid-keys-without-kid", spec(), claims(JANE), user("jane"))
        .signedBy(withoutKid(RSA_1), JWSAlgorithm.RS256).publishing(withoutKid(RSA_2), withoutKid(RSA_1)));
    c.add(reject("no-kid-no-key-verifies", spec(), claims(JANE), Reason.INVALID_SIGNATURE, "oidc: failed to verify signature")
        .signedBy(withoutKid(RSA_1), JWSAlgorithm.RS256).publishing(RSA_2));
    c.add(reject("no-kid-no-key-of-the-alg-type", spec(), claims(JANE),
        Reason.KEY_NOT_FOUND, "oidc: no ES256 key in the issuer's key set")
        .signedBy(withoutKid(EC_256), JWSAlgorithm.ES256).publishing(RSA_1).allowing(ALL_ALGS));
    c.add(reject("ec-key-on-the-wrong-curve", spec(), claims(JANE),
        Reason.KEY_NOT_FOUND, "oidc: no ES256 key with kid \"ec-256\" in the issuer's key set")
        .signedBy(EC_256, JWSAlgorithm.ES256).publishing(withKid(EC_384, "ec-256")).allowing(ALL_ALGS));
    c.add(reject("kid-names-a-key-of-another-type", spec(), claims(JANE),
        Reason.KEY_NOT_FOUND, "oidc: no RS256 key with kid \"ec-256\" in the issuer's key set")
        .signedBy(withKid(RSA_1, "ec-256"), JWSAlgorithm.RS256).publishing(EC_256, RSA_1));
    c.add(reject("invalid-signature", spec(), claims(JANE), Reason.INVALID_SIGNATURE, "oidc: failed to verify signature")
        .signedBy(withKid(RSA_2, "rsa-1"), JWSAlgorithm.RS256));
    // go-oidc tries every key with the token's kid; so do we.
    c.add(accept("duplicate-kid-second-key-verifies", spec(), claims(JANE), user("jane"))
        .publishing(withKid(RSA_2, "rsa-1"), RSA_1));
    // CVE-2018-0114: a key embedded in the header ("jwk") must never be trusted.
    c.add(reject("embedded-jwk-header-ignored", spec(), claims(JANE), Reason.INVALID_SIGNATURE, "oidc: failed to verify signature")
        .tampered(replaceWith(signWithHeader(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
            .jwk(RSA_2.toPublicJWK()).build(), RSA_2, claims(JANE)))));
    // CVE-2022-21449 ("psychic signatures"): r = s = 0 must not verify.
    c.add(reject("ecdsa-zero-signature", spec(), claims(JANE), Reason.INVALID_SIGNATURE, "oidc: failed to verify signature")
        .publishing(EC_256).allowing(ALL_ALGS)
        .tampered(replaceWith(compact(json("{'alg':'ES256','kid':'ec-256'}"), claims(JANE),
            Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64])))));
    c.add(reject("tampered-payload", spec(), claims(JANE), Reason.INVALID_SIGNATURE, "oidc: failed to verify signature")
        .tampered(swapPayload(claims("'username':'admin'"))));
    c.add(reject("jwk-alg-differs-from-token-alg", spec(), claims(JANE),
        Reason.KEY_NOT_FOUND, "oidc: no RS256 key with kid \"rsa-1\" in the issuer's key set")
        .publishing(declaringAlg(RSA_1, JWSAlgorithm.RS512)));
    c.add(accept("jwk-alg-matches-token-alg", spec(), claims(JANE), user("jane"))
        .publishing(declaringAlg(RSA_1, JWSAlgorithm.RS256)));
    c.add(reject("keys-not-initialized", spec(), claims(JANE), Reason.NOT_INITIALIZED,
        "oidc: authenticator not initialized (no keys loaded yet for issuer \"" + ISSUER + "\")").publishing());

    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void authenticate(Case c) {
    run(c);
  }

  static void run(Case c) {
    AuthResult got = authenticate(c, StepListener.NONE);
    if (c.want() != null) {
      Authenticated a = assertInstanceOf(Authenticated.class, got, () -> "expected " + c.want() + ", got " + got);
      assertEquals(c.want(), a.user());
      return;
    }
    Rejected r = assertInstanceOf(Rejected.class, got, () -> "expected " + c.wantReason() + ", got " + got);
    assertEquals(c.wantReason() + ": " + c.wantError(), r.reason() + ": " + r.detail());
    if (ROUTER_REASONS.contains(r.reason())) {
      assertNull(r.issuer(), "rejected before routing: no issuer");
    } else {
      assertNotNull(r.issuer(), "a rejection by an issuer names it");
    }
  }

  /** The router this case runs against: its issuer, and beside it the trailing-slash neighbour. */
  static IssuerRouter router(Case c) {
    List<IssuerAuthenticator> authenticators = new ArrayList<>();
    String url = c.config().issuer().url();
    authenticators.add(new IssuerAuthenticator(c.config(), c.allowedAlgs(), new StaticKeySource(url, c.publishedKeys()), CLOCK));
    if (!SLASH_ISSUER.equals(url)) {
      authenticators.add(new IssuerAuthenticator(SLASH_NEIGHBOUR, c.allowedAlgs(),
          new StaticKeySource(SLASH_ISSUER, c.publishedKeys()), CLOCK));
    }
    return new IssuerRouter(authenticators, IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
  }

  static String token(Case c) {
    String signed = DevIssuer.sign(c.signingKey(), c.alg(), c.signingKey().getKeyID(), c.claimsJson());
    return c.tamper().apply(signed);
  }

  static AuthResult authenticate(Case c, StepListener l) {
    return router(c).authenticate(token(c), l);
  }

  // --- outside the table --------------------------------------------------------------------

  @Test
  void constructorWhenHmacAlgorithmAllowedThenThrows() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IssuerAuthenticator(
        spec().build(), List.of("RS256", "HS256"), new StaticKeySource(ISSUER, List.of(RSA_1.toPublicJWK())), CLOCK));
    assertEquals("signing algorithm HS256 is not allowed", e.getMessage());
  }

  @Test
  void constructorWhenAlgNoneAllowedThenThrows() {
    assertThrows(IllegalArgumentException.class, () -> new IssuerAuthenticator(
        spec().build(), List.of("none"), new StaticKeySource(ISSUER, List.of(RSA_1.toPublicJWK())), CLOCK));
  }

  @Test
  void routerWhenTwoAuthenticatorsShareAnIssuerThenThrows() {
    IssuerAuthenticator a = new IssuerAuthenticator(spec().build(), LEGACY_ALGS, new StaticKeySource(ISSUER, List.of()), CLOCK);
    IssuerAuthenticator b = new IssuerAuthenticator(spec().build(), LEGACY_ALGS, new StaticKeySource(ISSUER, List.of()), CLOCK);
    assertThrows(IllegalArgumentException.class, () -> new IssuerRouter(List.of(a, b), IssuerRouter.DEFAULT_MAX_TOKEN_BYTES));
  }
}
