package io.github.kubeoidc.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.Issuer;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import io.github.kubeoidc.keys.StaticKeySource;
import io.github.kubeoidc.token.IssuerAuthenticator;
import io.github.kubeoidc.token.IssuerRouter;
import io.github.kubeoidc.token.TokenAuthenticator;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The issuer of the fuzz targets: pinned keys (a test-only RSA and EC key in {@code fuzz-issuer-keys.json},
 * so that seed tokens verify in every run), a pinned clock, and the few tokens it ever signed. The oracle of
 * the fuzz tests is {@link #issued(String)}: whatever authenticates must be one of those, signed by these keys.
 */
public final class FuzzIssuer {
  public static final String URL = "https://fuzz.example.com";
  public static final String AUDIENCE = "my-client";
  public static final Instant NOW = Instant.parse("2009-11-10T23:00:00Z");
  public static final RSAKey RSA;
  public static final ECKey EC;

  static {
    try (InputStream in = FuzzIssuer.class.getResourceAsStream("fuzz-issuer-keys.json")) {
      JWKSet set = JWKSet.parse(new String(in.readAllBytes(), UTF_8));
      RSA = (RSAKey) set.getKeyByKeyId("fuzz-rsa");
      EC = (ECKey) set.getKeyByKeyId("fuzz-ec");
    } catch (IOException | java.text.ParseException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The claims of every honest token: valid for an hour at {@link #NOW}. */
  public static final String CLAIMS = "{\"iss\":\"" + URL + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":"
      + (NOW.getEpochSecond() + 3600) + ",\"username\":\"jane\",\"groups\":[\"dev\",\"ops\"]}";
  static final String RS256_HEADER = "{\"alg\":\"RS256\",\"kid\":\"fuzz-rsa\",\"typ\":\"JWT\"}";
  static final String ES256_HEADER = "{\"alg\":\"ES256\",\"kid\":\"fuzz-ec\",\"typ\":\"JWT\"}";

  /** The signing inputs (header.payload) this issuer ever signed. */
  static final Set<String> SIGNED = Set.of(b64(RS256_HEADER) + "." + b64(CLAIMS), b64(ES256_HEADER) + "." + b64(CLAIMS));

  private FuzzIssuer() {}

  /** A router for this one issuer: RS256 and ES256 allowed, username from "username", groups from "groups". */
  public static IssuerRouter router() {
    JwtAuthenticator config = new JwtAuthenticator(
        new Issuer(URL, null, null, List.of(AUDIENCE), null, null),
        List.of(),
        new ClaimMappings(new PrefixedClaimOrExpression("username", "", null),
            new PrefixedClaimOrExpression("groups", "", null), null, List.of()),
        List.of());
    IssuerAuthenticator a = new IssuerAuthenticator(config, List.of("RS256", "ES256"),
        new StaticKeySource(URL, List.of(RSA.toPublicJWK(), EC.toPublicJWK())), Clock.fixed(NOW, ZoneOffset.UTC));
    return new IssuerRouter(List.of(a), IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
  }

  public static TokenAuthenticator authenticator() {
    return router();
  }

  /** The honest RS256 token (deterministic: the same string in every run). */
  public static String rs256() {
    try {
      return sign(RS256_HEADER, new RSASSASigner(RSA), JWSAlgorithm.RS256);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An honest ES256 token (ECDSA signatures are randomised: another string each call). */
  public static String es256() {
    try {
      return sign(ES256_HEADER, new ECDSASigner(EC), JWSAlgorithm.ES256);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * True when {@code token} is one this issuer signed: its signing input is one of ours and its signature
   * verifies under our public key, checked here with fresh nimbus verifiers, apart from the pipeline.
   */
  public static boolean issued(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      String input = new String(jwt.getSigningInput(), US_ASCII);
      if (!SIGNED.contains(input)) {
        return false;
      }
      return JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())
          ? jwt.verify(new RSASSAVerifier(RSA.toRSAPublicKey()))
          : jwt.verify(new ECDSAVerifier(EC.toECPublicKey()));
    } catch (java.text.ParseException | JOSEException | RuntimeException e) {
      return false;
    }
  }

  private static String sign(String header, JWSSigner signer, JWSAlgorithm alg) {
    try {
      String input = b64(header) + "." + b64(CLAIMS);
      Base64URL sig = signer.sign(new JWSHeader(alg), input.getBytes(US_ASCII));
      return input + "." + sig;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(UTF_8));
  }
}
