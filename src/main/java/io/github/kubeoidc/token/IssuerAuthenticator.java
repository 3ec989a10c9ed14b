package io.github.kubeoidc.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.github.kubeoidc.cel.CelEnv;
import io.github.kubeoidc.cel.CelEvalException;
import io.github.kubeoidc.cel.CompiledRules;
import io.github.kubeoidc.config.FieldError;
import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimValidationRule;
import io.github.kubeoidc.keys.KeySet;
import io.github.kubeoidc.keys.KeySource;
import io.github.kubeoidc.keys.KeyStatus;
import io.github.kubeoidc.token.AuthResult.Authenticated;
import io.github.kubeoidc.token.AuthResult.Rejected;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One configured issuer's verifier: the pipeline of Kubernetes' {@code AuthenticateToken}, top to bottom
 * in {@link #authenticate(UnverifiedToken, StepListener)}. All configuration work is done once in the
 * constructor; the per-token path only reads.
 */
public final class IssuerAuthenticator {
  /** OIDC Core §3.1.3.7 allows clock skew; kube-apiserver allows none for exp and 60 s for nbf. */
  static final Duration NBF_LEEWAY = Duration.ofSeconds(60);

  /** Kubernetes reserves this namespace for its own components and groups. */
  static final String SYSTEM_PREFIX = "system:";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IssuerAuthenticator.class);

  private final String issuer;
  private final Set<String> audiences;
  private final Set<JWSAlgorithm> allowedAlgorithms;
  private final KeySource keys;
  private final ClaimMapper mapper;
  private final List<ClaimValidationRule> requiredClaims;
  private final Clock clock;

  private final CompiledRules rules;
  private final Map<String, String> escapedClaims;
  private volatile DistributedClaims resolver;
  private volatile boolean systemGuard = true;
  private final java.util.concurrent.atomic.LongAdder droppedSystemGroups = new java.util.concurrent.atomic.LongAdder();

  /** An authenticator without CEL expressions (tests, legacy flags). */
  public IssuerAuthenticator(JwtAuthenticator config, Collection<String> allowedAlgorithms, KeySource keys, Clock clock) {
    this(config, CompiledRules.NONE, allowedAlgorithms, keys, clock);
  }

  /** {@code rules} are the authenticator's expressions as compiled by the configuration's validation. */
  public IssuerAuthenticator(JwtAuthenticator config, CompiledRules rules, Collection<String> allowedAlgorithms,
      KeySource keys, Clock clock) {
    this.issuer = config.issuer().url();
    this.audiences = Set.copyOf(config.issuer().audiences());
    Set<JWSAlgorithm> algs = new LinkedHashSet<>();
    for (String a : allowedAlgorithms) {
      JWSAlgorithm alg = JWSAlgorithm.parse(a);
      if (!JWSAlgorithm.Family.RSA.contains(alg) && !JWSAlgorithm.Family.EC.contains(alg)) {
        // Never none or HMAC: with HMAC the issuer's public key would become a secret anyone can sign with.
        throw new IllegalArgumentException("signing algorithm " + a + " is not allowed");
      }
      algs.add(alg);
    }
    this.allowedAlgorithms = Set.copyOf(algs);
    this.keys = keys;
    this.rules = rules;
    this.escapedClaims = rules.escapedClaims();
    this.mapper = new ClaimMapper(issuer, config.claimMappings(), rules);
    this.requiredClaims = config.claimValidationRules().stream().filter(r -> r.claim() != null).toList();
    this.clock = clock;
  }

  public String issuer() {
    return issuer;
  }

  /** The configured audiences (a distributed claims JWT must carry one of them too). */
  Set<String> audiences() {
    return audiences;
  }

  Set<JWSAlgorithm> allowedAlgorithms() {
    return allowedAlgorithms;
  }

  /**
   * The {@code system:} guard (on by default; kubernetes-semantics.md "Ours"): an IdP must never make anyone
   * {@code system:masters} or {@code system:kube-controller-manager}. Off only by the operator's explicit flag.
   */
  public void guardSystemIdentities(boolean on) {
    this.systemGuard = on;
  }

  /** Groups the guard has dropped since start, for the metric. */
  public long droppedSystemGroups() {
    return droppedSystemGroups.sum();
  }

  /** Resolves the groups claim from distributed claims sources (OIDC Core §5.6.2) when the token has none. */
  public void useDistributedClaims(DistributedClaims resolver) {
    this.resolver = resolver;
  }

  public KeyStatus keyStatus() {
    return keys.status();
  }

  /** Verifies a token already routed here by its unverified {@code iss}. Never throws for a bad token. */
  public AuthResult authenticate(UnverifiedToken token, StepListener l) {
    try {
      return verifyAndMap(token, l);
    } catch (TokenRejectedException e) {
      return Rejected.of(e, issuer);
    }
  }

  /** The pipeline, in Kubernetes' order. */
  private Authenticated verifyAndMap(UnverifiedToken token, StepListener l) throws TokenRejectedException {
    Verified v = verify(token, l);
    Map<String, Object> claims = resolver == null ? v.claims() : resolver.expand(v.claims(), l);

    // The CEL input is built once per token, as Kubernetes does, and only when an expression reads it.
    Map<String, Object> celClaims = rules.readsClaims() ? CelEnv.claimsInput(claims, escapedClaims) : null;
    UserInfo user = mapper.map(claims, celClaims, l);
    checkRequiredClaims(claims, l);
    checkClaimValidationRules(celClaims, l);
    checkUserValidationRules(user, l);
    return new Authenticated(guard(user, l), issuer, v.expiresAt());
  }

  /** Claims whose signature, issuer, audience and times have been checked. */
  record Verified(Map<String, Object> claims, Instant expiresAt) {}

  /** Keys, algorithm, signature, times, issuer and audience: everything before the claims are trusted. */
  Verified verify(UnverifiedToken token, StepListener l) throws TokenRejectedException {
    verifySignatureOnly(token.raw(), l);

    // From here on the claims are covered by a valid signature: the payload bytes that were verified are
    // the ones UnverifiedToken decoded.
    Map<String, Object> claims = token.unverifiedClaims();
    Instant exp = checkTimes(claims, clock.instant(), l);
    Object iss = claims.get("iss");
    if (!issuer.equals(iss) && !("https://accounts.google.com".equals(issuer) && "accounts.google.com".equals(iss))) {
      throw fail(l, "issuer", Reason.ISSUER_MISMATCH, "oidc: id token issued by a different provider, expected "
          + quote(issuer) + " got " + quote(String.valueOf(iss)));
    }
    if (l.explaining()) {
      l.step("issuer", true, issuer);
    }
    checkAudience(claims, l);
    return new Verified(claims, exp);
  }

  /**
   * The signature layer alone, exactly as {@link #verify} runs it before any claim is read: keys loaded,
   * strict compact JWS, header, algorithm, key, signature. Package-private so that signature test vectors
   * (Wycheproof), whose payloads are not ID tokens, run through the production code.
   */
  JWSHeader verifySignatureOnly(String compact, StepListener l) throws TokenRejectedException {
    Optional<KeySet> loaded = keys.current();
    if (loaded.isEmpty()) {
      throw fail(l, "keys", Reason.NOT_INITIALIZED,
          "oidc: authenticator not initialized (no keys loaded yet for issuer " + quote(issuer) + ")");
    }
    KeySet keySet = loaded.get();
    if (l.explaining()) {
      l.step("keys", true, keySet.keys().size() + " keys loaded at " + keySet.fetchedAt());
    }

    if (!UnverifiedToken.isCompactJws(compact)) {
      // The router already checked this for every token it routes; the signature layer does not rely on it.
      throw fail(l, "header", Reason.MALFORMED_TOKEN, "oidc: malformed jwt: not a compact JWS in strict base64url");
    }
    int headerEnd = compact.indexOf('.');
    int payloadEnd = compact.indexOf('.', headerEnd + 1);
    String headerPart = compact.substring(0, headerEnd);
    JWSHeader header = header(headerPart, l);
    if (payloadEnd == compact.length() - 1) {
      throw fail(l, "header", Reason.MALFORMED_TOKEN, "oidc: malformed jwt: The signature must not be empty");
    }
    JWSAlgorithm alg = header.getAlgorithm();
    if (!allowedAlgorithms.contains(alg)) {
      throw fail(l, "algorithm", Reason.ALGORITHM_NOT_ALLOWED,
          "oidc: token signed with algorithm " + quote(alg.getName()) + ", expected one of " + names(allowedAlgorithms));
    }
    if (l.explaining()) {
      l.step("algorithm", true, alg.getName());
    }

    List<JWK> candidates = candidateKeys(keySet, header, l);
    NonBlocking.mayVerify(); // the costly step: under callCheap, the review moves to a worker from here
    // The JWS Signing Input (RFC 7515 §5.2): the first two segments exactly as they came, ASCII by isCompactJws.
    byte[] signingInput = compact.substring(0, payloadEnd).getBytes(StandardCharsets.US_ASCII);
    verifySignature(header, signingInput, new Base64URL(compact.substring(payloadEnd + 1)), keySet, candidates, l);
    rememberHeader(headerPart, header);
    return header;
  }

  /**
   * Headers of tokens that verified, by their base64url text: an issuer signs every token with the same few
   * headers, and nimbus' header parse (JSON, then every registered parameter) is a tenth of the pipeline's time.
   * Only verified headers enter, so a stranger cannot fill it; it stops growing at {@link #MAX_HEADERS}.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, JWSHeader> verifiedHeaders = new java.util.concurrent.ConcurrentHashMap<>();

  static final int MAX_HEADERS = 64;

  private void rememberHeader(String headerPart, JWSHeader header) {
    if (verifiedHeaders.size() < MAX_HEADERS) {
      verifiedHeaders.putIfAbsent(headerPart, header);
    }
  }

  /** The JOSE header, as nimbus' {@code JWSObject} parses it, with its messages; any {@code crit} or b64=false rejects. */
  private JWSHeader header(String headerPart, StepListener l) throws TokenRejectedException {
    JWSHeader header = verifiedHeaders.get(headerPart);
    if (header != null) {
      return header;
    }
    try {
      header = JWSHeader.parse(new Base64URL(headerPart));
    } catch (ParseException e) {
      // nimbus may quote the header (a bad jku, say) in its message: one line, control characters escaped.
      String why = oneLine(truncate("Invalid JWS header: " + e.getMessage()));
      l.step("header", false, "not a signed JWT: " + why);
      throw new TokenRejectedException(Reason.MALFORMED_TOKEN, "oidc: malformed jwt: " + why);
    } catch (RuntimeException e) {
      // Found by fuzzing: a header that is the JSON literal null makes nimbus throw NullPointerException.
      throw fail(l, "header", Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unreadable JWS header");
    }
    Set<String> crit = header.getCriticalParams();
    if (crit != null) {
      // RFC 7515 §4.1.11: a recipient must reject a token whose "crit" names an extension it does not
      // understand. We understand none (not even RFC 7797 "b64"), so any "crit" rejects.
      throw fail(l, "header", Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unsupported critical header parameters "
          + crit.stream().sorted().limit(8).map(IssuerAuthenticator::quote).toList());
    }
    if (!header.isBase64URLEncodePayload()) {
      // RFC 7797's unencoded payload, without the "crit" it requires: no ID token is sent that way.
      throw fail(l, "header", Reason.MALFORMED_TOKEN, "oidc: malformed jwt: unencoded payloads (b64=false) are not supported");
    }
    return header;
  }

  /** Keys that may have signed this token: by kid when given, else every key of the algorithm's type. */
  private List<JWK> candidateKeys(KeySet keySet, JWSHeader header, StepListener l) throws TokenRejectedException {
    String kid = header.getKeyID();
    JWSAlgorithm alg = header.getAlgorithm();
    List<JWK> pool = kid == null ? keySet.keys() : keySet.withKid(kid);
    if (kid != null && pool.isEmpty()) {
      // The issuer may have rotated: refetch (rate-limited, shared) before giving up.
      NonBlocking.mayBlock();
      Optional<KeySet> refreshed = keys.refreshOnUnknownKid(kid);
      pool = refreshed.map(k -> k.withKid(kid)).orElse(List.of());
    }
    List<JWK> out = new ArrayList<>();
    for (JWK k : pool) {
      if (fits(k, alg)) {
        out.add(k);
      }
    }
    if (out.isEmpty()) {
      throw fail(l, "key", Reason.KEY_NOT_FOUND, kid == null
          ? "oidc: no " + alg.getName() + " key in the issuer's key set"
          : "oidc: no " + alg.getName() + " key with kid " + quote(kid) + " in the issuer's key set");
    }
    if (l.explaining()) {
      l.step("key", true, (kid == null ? "no kid in header" : "kid " + quote(kid)) + ": " + out.size() + " candidate key(s)");
    }
    return out;
  }

  /** The key's type, curve and declared alg must fit the token's alg (RFC 7518 §3.1). */
  private static boolean fits(JWK k, JWSAlgorithm alg) {
    if (k.getAlgorithm() != null && !k.getAlgorithm().getName().equals(alg.getName())) {
      return false;
    }
    if (JWSAlgorithm.Family.RSA.contains(alg)) {
      return k instanceof RSAKey;
    }
    if (k instanceof ECKey ec) {
      Curve c = ec.getCurve();
      return (JWSAlgorithm.ES256.equals(alg) && Curve.P_256.equals(c))
          || (JWSAlgorithm.ES384.equals(alg) && Curve.P_384.equals(c))
          || (JWSAlgorithm.ES512.equals(alg) && Curve.P_521.equals(c));
    }
    return false;
  }

  private static void verifySignature(JWSHeader header, byte[] signingInput, Base64URL signature, KeySet keySet,
      List<JWK> candidates, StepListener l) throws TokenRejectedException {
    for (JWK k : candidates) {
      try {
        JWSVerifier v = keySet.verifier(k);
        if (v == null) {
          continue;
        }
        // The verifiers honour no "crit" header names, so a token that marks any as critical fails here.
        if (v.verify(header, signingInput, signature)) {
          if (l.explaining()) {
            l.step("signature", true, "verified with " + (k.getKeyID() == null ? "a key without kid" : "kid " + quote(k.getKeyID())));
          }
          return;
        }
      } catch (JOSEException | RuntimeException e) {
        // a key that cannot verify this token (or a signature nimbus cannot even decode) is just not the right key
      }
    }
    l.step("signature", false, "no candidate key verifies the signature");
    throw new TokenRejectedException(Reason.INVALID_SIGNATURE, "oidc: failed to verify signature");
  }

  /** exp is required with no leeway; nbf, when present, gets 60 s; iat is not checked (as Kubernetes). */
  private static Instant checkTimes(Map<String, Object> claims, Instant now, StepListener l) throws TokenRejectedException {
    Instant exp = numericDate(claims, "exp", true, l);
    if (exp.isBefore(now)) {
      l.step("expiry", false, "expired at " + exp + ", now " + now);
      throw new TokenRejectedException(Reason.EXPIRED, "oidc: token is expired (Token Expiry: " + exp + ")");
    }
    Instant nbf = numericDate(claims, "nbf", false, l);
    if (nbf != null && now.plus(NBF_LEEWAY).isBefore(nbf)) {
      l.step("expiry", false, "not valid before " + nbf + ", now " + now + " (leeway " + NBF_LEEWAY.toSeconds() + "s)");
      throw new TokenRejectedException(Reason.NOT_YET_VALID,
          "oidc: current time " + now + " before the nbf (not before) time: " + nbf);
    }
    numericDate(claims, "iat", false, l); // type only
    if (l.explaining()) {
      l.step("expiry", true, "valid until " + exp + (nbf == null ? "" : ", not before " + nbf));
    }
    return exp;
  }

  /** The range of a NumericDate we accept, in seconds either side of 1970 (about 35,000 years). */
  private static final long MAX_SECONDS = 1L << 40;

  /** RFC 7519 §2 NumericDate: a JSON number of seconds. {@code null} is a wrong type, not absence. */
  private static Instant numericDate(Map<String, Object> claims, String name, boolean required, StepListener l)
      throws TokenRejectedException {
    if (!claims.containsKey(name)) {
      if (required) {
        l.step("expiry", false, "claim \"" + name + "\" is missing");
        throw new TokenRejectedException(Reason.INVALID_CLAIM, "oidc: claim \"" + name + "\" is required");
      }
      return null;
    }
    Object v = claims.get(name);
    if (!(v instanceof Number n)) {
      l.step("expiry", false, "claim \"" + name + "\" is not a number");
      throw new TokenRejectedException(Reason.INVALID_CLAIM, "oidc: claim \"" + name + "\" must be a number");
    }
    if ((n instanceof Integer || n instanceof Long) && Math.abs(n.longValue()) <= MAX_SECONDS) {
      return Instant.ofEpochSecond(n.longValue()); // the usual case, without the decimal arithmetic below
    }
    // A JSON number beyond a double's range (1e400) parses as ±Infinity, which has no BigDecimal form.
    boolean finite = !(n instanceof Double d) || Double.isFinite(d);
    BigDecimal seconds = !finite ? null : n instanceof BigInteger bi ? new BigDecimal(bi) : new BigDecimal(n.toString());
    // Instant covers about ±3e16 years; keep to a sane range so arithmetic never overflows.
    if (seconds == null || seconds.abs().compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
      l.step("expiry", false, "claim \"" + name + "\" is out of range");
      throw new TokenRejectedException(Reason.INVALID_CLAIM, "oidc: claim \"" + name + "\" is out of range");
    }
    long whole = seconds.longValue();
    long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
    return Instant.ofEpochSecond(whole, nanos);
  }

  /** The token's aud (string or array of strings) must contain one of the configured audiences. */
  private void checkAudience(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    Object raw = claims.get("aud");
    List<String> aud = new ArrayList<>();
    if (raw instanceof String s) {
      aud.add(s);
    } else if (raw instanceof List<?> list) {
      for (Object o : list) {
        if (!(o instanceof String s)) {
          l.step("audience", false, "claim \"aud\" holds a non-string");
          throw new TokenRejectedException(Reason.INVALID_CLAIM, "oidc: claim \"aud\" must be a string or an array of strings");
        }
        aud.add(s);
      }
    } else if (raw != null || claims.containsKey("aud")) {
      l.step("audience", false, "claim \"aud\" is neither a string nor an array");
      throw new TokenRejectedException(Reason.INVALID_CLAIM, "oidc: claim \"aud\" must be a string or an array of strings");
    }
    if (aud.stream().noneMatch(audiences::contains)) {
      throw fail(l, "audience", Reason.AUDIENCE_MISMATCH,
          "oidc: expected audience in " + names(audiences) + " got " + quoteAll(aud));
    }
    if (l.explaining()) {
      l.step("audience", true, "aud " + quoteAll(aud) + " contains one of " + names(audiences));
    }
  }

  /** {@code claim}/{@code requiredValue} rules: present, a JSON string, and equal. */
  private void checkRequiredClaims(Map<String, Object> claims, StepListener l) throws TokenRejectedException {
    for (ClaimValidationRule r : requiredClaims) {
      String name = r.claim();
      String want = r.requiredValue() == null ? "" : r.requiredValue();
      if (!claims.containsKey(name)) {
        l.step("claim rules", false, "required claim " + quote(name) + " is missing");
        throw new TokenRejectedException(Reason.REQUIRED_CLAIM, "oidc: required claim " + name + " not present in ID token");
      }
      if (!(claims.get(name) instanceof String got)) {
        l.step("claim rules", false, "required claim " + quote(name) + " is not a string");
        throw new TokenRejectedException(Reason.REQUIRED_CLAIM, "oidc: parse claim " + name + ": not a string");
      }
      if (!got.equals(want)) {
        l.step("claim rules", false, "required claim " + quote(name) + " is " + quote(got) + ", expected " + quote(want));
        throw new TokenRejectedException(Reason.REQUIRED_CLAIM,
            "oidc: required claim " + name + " value does not match. Got = " + truncate(got) + ", want = " + want);
      }
    }
    if (l.explaining()) {
      l.step("claim rules", true, requiredClaims.size() + " rule(s) passed");
    }
  }

  /**
   * After userValidationRules (which still see what the token said): a username from a claim mapping in
   * {@code system:} rejects the token; groups from a claim mapping in {@code system:} are dropped. What the
   * operator's own CEL expressions build passes untouched (federating service-account identities is real).
   */
  private UserInfo guard(UserInfo user, StepListener l) throws TokenRejectedException {
    if (!systemGuard) {
      return user;
    }
    if (rules.username() == null && user.username().startsWith(SYSTEM_PREFIX)) {
      throw fail(l, "system guard", Reason.SYSTEM_IDENTITY, "oidc: username " + quote(user.username())
          + " from a claim is in the reserved system: namespace");
    }
    if (rules.groups() != null || user.groups().stream().noneMatch(g -> g.startsWith(SYSTEM_PREFIX))) {
      return user;
    }
    List<String> kept = new ArrayList<>();
    for (String g : user.groups()) {
      if (g.startsWith(SYSTEM_PREFIX)) {
        droppedSystemGroups.increment();
        LOG.warn("issuer {}: dropped group {} of user {}: groups from a claim may not be in the reserved system: namespace",
            issuer, quote(g), quote(user.username()));
      } else {
        kept.add(g);
      }
    }
    if (l.explaining()) {
      l.step("system guard", true, (user.groups().size() - kept.size()) + " system: group(s) dropped");
    }
    return new UserInfo(user.username(), user.uid(), kept, user.extra());
  }

  /** claimValidationRules expressions, in order; the first false or failing one rejects. */
  private void checkClaimValidationRules(Map<String, Object> celClaims, StepListener l) throws TokenRejectedException {
    if (rules.claimValidationRules().isEmpty()) {
      return;
    }
    String where = "oidc: error evaluating claim validation expression: ";
    for (CompiledRules.Rule r : rules.claimValidationRules()) {
      evaluateRule(r, "claims", celClaims, where, Reason.CLAIM_RULE_FAILED, "claim expressions", l);
    }
    if (l.explaining()) {
      l.step("claim expressions", true, rules.claimValidationRules().size() + " expression(s) true");
    }
  }

  /** userValidationRules on the final user (after prefixes). */
  private void checkUserValidationRules(UserInfo user, StepListener l) throws TokenRejectedException {
    if (rules.userValidationRules().isEmpty()) {
      return;
    }
    Map<String, Object> input = CelEnv.userInput(user.username(), user.uid(), user.groups(), user.extra());
    String where = "oidc: error evaluating user info validation rule: ";
    for (CompiledRules.Rule r : rules.userValidationRules()) {
      evaluateRule(r, "user", input, where, Reason.USER_RULE_FAILED, "user rules", l);
    }
    if (l.explaining()) {
      l.step("user rules", true, rules.userValidationRules().size() + " rule(s) true");
    }
  }

  private static void evaluateRule(CompiledRules.Rule r, String variable, Map<String, Object> input, String where,
      Reason reason, String step, StepListener l) throws TokenRejectedException {
    Object v;
    try {
      v = CelEnv.get().evaluate(r.expression(), variable, input);
    } catch (CelEvalException e) {
      throw explainedFail(l, step, reason, where + "expression '" + r.expression().source() + "' resulted in error: "
          + e.getMessage(), r, variable, input);
    }
    if (!(v instanceof Boolean b)) {
      throw fail(l, step, reason, where + "validation expression must return a boolean");
    }
    if (!b) {
      throw explainedFail(l, step, reason, where + "validation expression '" + r.expression().source() + "' failed: "
          + r.message(), r, variable, input);
    }
  }

  /**
   * For {@code check}: the failing step also shows the values the expression read (the claims it selects, or
   * the user), so an operator sees what was compared. {@code status.error} keeps only the message.
   */
  private static TokenRejectedException explainedFail(StepListener l, String step, Reason reason, String detail,
      CompiledRules.Rule r, String variable, Map<String, Object> input) {
    if (l != StepListener.NONE) {
      StringBuilder b = new StringBuilder(detail);
      if ("user".equals(variable)) {
        b.append("\n         user: ").append(input);
      } else {
        for (String claim : new java.util.TreeSet<>(r.expression().claimsUsed())) {
          b.append("\n         claims.").append(claim).append(" = ")
              .append(input.containsKey(claim) ? FieldError.quote(truncate(String.valueOf(input.get(claim)))) : "(absent)");
        }
      }
      l.step(step, false, b.toString());
    }
    return new TokenRejectedException(reason, detail);
  }

  // --- small helpers --------------------------------------------------------------------------

  /** Reports a failed step and builds its rejection. */
  static TokenRejectedException fail(StepListener l, String step, Reason reason, String detail) {
    l.step(step, false, detail);
    return new TokenRejectedException(reason, detail);
  }

  /** Quotes an untrusted value for a message: escaped like Go's %q (line separators too) and cut at 64 characters. */
  static String quote(String s) {
    return oneLine(FieldError.quote(truncate(s)));
  }

  /**
   * Untrusted text kept on one line: CR, LF and other control or line-separator characters escaped, so a
   * token cannot forge lines in logs or in {@code check} output.
   */
  static String oneLine(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  static String truncate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  private static String quoteAll(Collection<String> values) {
    return values.stream().limit(8).map(IssuerAuthenticator::quote).toList().toString();
  }

  private static String names(Collection<?> values) {
    return values.stream().map(v -> v instanceof JWSAlgorithm a ? a.getName() : quote(v.toString())).sorted().toList().toString();
  }
}
