package io.github.kubeoidc.token;

import static io.github.kubeoidc.token.IssuerAuthenticator.fail;
import static io.github.kubeoidc.token.IssuerAuthenticator.quote;

import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.Issuer;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import io.github.kubeoidc.keys.IssuerHttp;
import io.github.kubeoidc.keys.RemoteKeySource;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Distributed claims (OIDC Core §5.6.2) for the groups claim, as Kubernetes resolves them: when a verified
 * token has no groups claim but {@code _claim_names} points it at a {@code _claim_sources} endpoint, GET
 * that endpoint (with its {@code access_token} as bearer), verify the JWT it answers with its own issuer's
 * keys, the same audiences and the same algorithms, and take the claim from it.
 *
 * <p>Differences from Kubernetes, on purpose: the endpoint must be https; the source issuer's keys are
 * loaded on first use instead of failing until a background load completes; at most {@link #MAX_ISSUERS}
 * source issuers are remembered, so tokens cannot make the webhook track unbounded issuers.
 */
public final class DistributedClaims implements AutoCloseable {
  static final int MAX_ISSUERS = 16;

  private final String claim;
  private final IssuerHttp http;
  private final List<String> audiences;
  private final List<String> algorithms;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final RemoteKeySource.Settings settings;
  private final Map<String, Verifier> verifiers = new ConcurrentHashMap<>();

  private record Verifier(IssuerAuthenticator authenticator, RemoteKeySource keys) {}

  public DistributedClaims(String claim, IssuerHttp http, List<String> audiences, List<String> algorithms, Clock clock,
      ScheduledExecutorService scheduler, RemoteKeySource.Settings settings) {
    this.claim = claim;
    this.http = http;
    this.audiences = List.copyOf(audiences);
    this.algorithms = List.copyOf(algorithms);
    this.clock = clock;
    this.scheduler = scheduler;
    this.settings = settings;
  }

  /** The claims with {@code claim} filled in from its source, or unchanged when there is nothing to resolve. */
  Map<String, Object> expand(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    if (claims.containsKey(claim) || !claims.containsKey("_claim_names")) {
      return claims;
    }
    String where = "oidc: could not expand distributed claims: ";
    if (!(claims.get("_claim_names") instanceof Map<?, ?> names)) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED, where + "oidc: error parsing distributed claim names");
    }
    if (!(names.get(claim) instanceof String source)) {
      return claims; // no distributed claim for ours
    }
    if (!claims.containsKey("_claim_sources")) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED, where + "oidc: no claim sources");
    }
    if (!(claims.get("_claim_sources") instanceof Map<?, ?> sources)) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED, where + "oidc: could not parse claim sources");
    }
    if (!(sources.get(source) instanceof Map<?, ?> endpoint)) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED,
          where + "id token _claim_names contained a source " + quote(source) + " missing in _claims_sources");
    }
    if (!(endpoint.get("endpoint") instanceof String url) || url.isEmpty()) {
      return claims; // an aggregated claim (JWT inline): not supported, as in Kubernetes
    }
    String accessToken = endpoint.get("access_token") instanceof String t ? t : null;
    NonBlocking.mayBlock(); // the endpoint is fetched (and its issuer's keys, maybe) in this thread
    Object value = resolve(url, accessToken, where, l);
    Map<String, Object> out = new LinkedHashMap<>(claims);
    out.put(claim, value);
    return out;
  }

  private Object resolve(String url, String accessToken, String where, StepListener l) throws TokenRejectedException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED, where + "malformed endpoint " + quote(url));
    }
    if (!"https".equals(uri.getScheme())) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED, where + "endpoint " + quote(url) + " is not https");
    }
    String jwt;
    try {
      jwt = http.get(uri, accessToken).body().strip();
    } catch (IOException e) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED,
          where + "while getting distributed claim " + quote(claim) + ": " + e.getMessage());
    }
    Optional<UnverifiedToken> parsed = jwt.length() > IssuerRouter.DEFAULT_MAX_TOKEN_BYTES
        ? Optional.empty() : UnverifiedToken.parse(jwt);
    if (parsed.isEmpty()) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED,
          where + "endpoint " + quote(url) + " did not answer with a JWT carrying an issuer");
    }
    IssuerAuthenticator verifier = verifierFor(parsed.get().issuer(), where, l);
    IssuerAuthenticator.Verified v;
    try {
      v = verifier.verify(parsed.get(), StepListener.NONE);
    } catch (TokenRejectedException e) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED, where + "verify distributed claim token: " + e.detail());
    }
    if (!v.claims().containsKey(claim)) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED,
          where + "jwt returned by distributed claim endpoint " + quote(url) + " did not contain claim: " + claim);
    }
    if (l.explaining()) {
      l.step("distributed", true, "claim " + quote(claim) + " from " + quote(url) + ", verified for issuer "
          + quote(parsed.get().issuer()));
    }
    return v.claims().get(claim);
  }

  private IssuerAuthenticator verifierFor(String issuer, String where, StepListener l) throws TokenRejectedException {
    Verifier v = verifiers.get(issuer);
    if (v == null) {
      if (verifiers.size() >= MAX_ISSUERS) {
        throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED, where + "too many distributed claim issuers");
      }
      RemoteKeySource keys = new RemoteKeySource(issuer, null, http, clock, scheduler, settings);
      JwtAuthenticator cfg = new JwtAuthenticator(new Issuer(issuer, null, null, audiences, "MatchAny", null), List.of(),
          new ClaimMappings(new PrefixedClaimOrExpression("sub", "", null), null, null, List.of()), List.of());
      Verifier created = new Verifier(new IssuerAuthenticator(cfg, algorithms, keys, clock), keys);
      v = verifiers.putIfAbsent(issuer, created);
      if (v == null) {
        v = created;
      } else {
        keys.close();
      }
    }
    if (v.keys().current().isEmpty() && !v.keys().loadNow()) {
      throw fail(l, "groups", Reason.DISTRIBUTED_CLAIMS_FAILED, where + "verifying untrusted issuer " + quote(issuer)
          + " failed: " + v.keys().status().lastError());
    }
    return v.authenticator();
  }

  @Override
  public void close() {
    new ArrayList<>(verifiers.values()).forEach(v -> v.keys().close());
  }
}
