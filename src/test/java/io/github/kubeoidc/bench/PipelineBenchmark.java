package io.github.kubeoidc.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.config.ConfigValidator;
import io.github.kubeoidc.config.WebhookConfig;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.StaticKeySource;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.CachingAuthenticator;
import io.github.kubeoidc.token.IssuerAuthenticator;
import io.github.kubeoidc.token.IssuerRouter;
import io.github.kubeoidc.token.TokenAuthenticator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The verifier in-process, one thread: distinct tokens (every call verifies a signature), one repeated
 * token through the answer cache, a configuration with CEL rules, and nimbus alone as the baseline.
 * Run with {@code bench/jmh.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class PipelineBenchmark {
  static final String ISSUER = "https://issuer.bench";
  static final int TOKENS = 4096;

  @Param({"RS256", "ES256"})
  public String alg;

  JWK key;
  String[] tokens;
  int next;
  TokenAuthenticator plain;
  TokenAuthenticator withCel;
  TokenAuthenticator cached;
  com.nimbusds.jose.JWSVerifier nimbusVerifier;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    key = alg.equals("RS256")
        ? new RSAKeyGenerator(2048).keyID("k1").generate()
        : new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    long exp = System.currentTimeMillis() / 1000 + 24 * 3600;
    tokens = new String[TOKENS];
    for (int i = 0; i < TOKENS; i++) {
      String claims = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"kubernetes\",\"sub\":\"user-" + i + "\",\"exp\":" + exp
          + ",\"email\":\"user" + i + "@example.com\",\"email_verified\":true,\"groups\":[\"dev\",\"ops\"],\"jti\":\"" + i + "\"}";
      tokens[i] = DevIssuer.sign(key, JWSAlgorithm.parse(alg), "k1", claims);
    }
    plain = router("""
        - issuer: {url: "%s", audiences: [kubernetes]}
          claimMappings:
            username: {claim: email, prefix: ""}
            groups: {claim: groups, prefix: "oidc:"}
        """.formatted(ISSUER));
    withCel = router("""
        - issuer: {url: "%s", audiences: [kubernetes]}
          claimValidationRules:
          - expression: "claims.email_verified == true"
            message: email not verified
          claimMappings:
            username: {expression: "claims.email"}
            groups: {expression: "claims.groups.map(g, 'oidc:' + g)"}
          userValidationRules:
          - expression: "!user.username.startsWith('system:')"
            message: no system users
        """.formatted(ISSUER));
    cached = new CachingAuthenticator(plain, Duration.ofMinutes(2), Clock.systemUTC());
    nimbusVerifier = key instanceof RSAKey rsa ? new RSASSAVerifier(rsa.toRSAPublicKey())
        : new com.nimbusds.jose.crypto.ECDSAVerifier(((ECKey) key).toECPublicKey());
    if (!(plain.authenticate(tokens[0]) instanceof AuthResult.Authenticated)
        || !(withCel.authenticate(tokens[0]) instanceof AuthResult.Authenticated)) {
      throw new IllegalStateException("benchmark tokens do not authenticate");
    }
  }

  TokenAuthenticator router(String jwt) throws Exception {
    String yaml = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n" + jwt;
    var cfg = ConfigLoader.parse(yaml, "bench");
    ConfigValidator.Validated v = ConfigValidator.validateFile(cfg);
    IssuerAuthenticator a = new IssuerAuthenticator(cfg.jwt().get(0), v.rules().get(0),
        WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS, new StaticKeySource(ISSUER, List.of(key.toPublicJWK())), Clock.systemUTC());
    return new IssuerRouter(List.of(a), IssuerRouter.DEFAULT_MAX_TOKEN_BYTES);
  }

  String nextToken() {
    return tokens[next++ & (TOKENS - 1)];
  }

  /** The pipeline, a new token every call. */
  @Benchmark
  public AuthResult distinctTokens() {
    return plain.authenticate(nextToken());
  }

  /** The same with CEL: a claim rule, username and groups expressions, a user rule. */
  @Benchmark
  public AuthResult distinctTokensWithCel() {
    return withCel.authenticate(nextToken());
  }

  /** One token again and again, answered by the cache. */
  @Benchmark
  public AuthResult repeatedTokenCached() {
    return cached.authenticate(tokens[0]);
  }

  /** nimbus alone: parse, verify with a prebuilt verifier, read the claims; the floor we build on. */
  @Benchmark
  public Object nimbusParseVerifyClaims() throws Exception {
    SignedJWT jwt = SignedJWT.parse(nextToken());
    if (!jwt.verify(nimbusVerifier)) {
      throw new IllegalStateException();
    }
    return jwt.getJWTClaimsSet();
  }
}
