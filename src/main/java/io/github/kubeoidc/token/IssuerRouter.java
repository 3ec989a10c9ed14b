package io.github.kubeoidc.token;

import io.github.kubeoidc.token.AuthResult.Rejected;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Routes a token to the authenticator of its (unverified) {@code iss}, byte for byte. A token that is
 * not a JWT, or names no configured issuer, is "not mine".
 */
public final class IssuerRouter implements TokenAuthenticator {
  /** Tokens larger than this are refused unread. Dex tokens with hundreds of groups stay well under. */
  public static final int DEFAULT_MAX_TOKEN_BYTES = 64 * 1024;

  private final Map<String, IssuerAuthenticator> byIssuer = new LinkedHashMap<>();
  private final int maxTokenBytes;

  public IssuerRouter(List<IssuerAuthenticator> authenticators, int maxTokenBytes) {
    for (IssuerAuthenticator a : authenticators) {
      if (byIssuer.putIfAbsent(a.issuer(), a) != null) {
        throw new IllegalArgumentException("duplicate issuer " + a.issuer());
      }
    }
    this.maxTokenBytes = maxTokenBytes;
  }

  public List<IssuerAuthenticator> authenticators() {
    return List.copyOf(byIssuer.values());
  }

  @Override
  public AuthResult authenticate(String token, StepListener l) {
    if (token.length() > maxTokenBytes) {
      l.step("route", false, "token of " + token.length() + " bytes exceeds the limit of " + maxTokenBytes);
      return new Rejected(Reason.TOKEN_TOO_LARGE, "oidc: token exceeds " + maxTokenBytes + " bytes", null);
    }
    Optional<UnverifiedToken> parsed = UnverifiedToken.parse(token);
    if (parsed.isEmpty()) {
      l.step("route", false, "not a compact JWT with a string \"iss\" claim: not for this webhook");
      return new Rejected(Reason.NOT_A_JWT, "", null);
    }
    UnverifiedToken t = parsed.get();
    IssuerAuthenticator a = byIssuer.get(t.issuer());
    if (a == null && "accounts.google.com".equals(t.issuer())) {
      // Google's tokens may carry iss without the scheme; Kubernetes and go-oidc accept that for this
      // one issuer only (OIDC Core §15.6.2). No other provider gets such an exception.
      a = byIssuer.get("https://accounts.google.com");
    }
    if (a == null) {
      l.step("route", false, "iss " + IssuerAuthenticator.quote(t.issuer()) + " matches no configured issuer: not for this webhook");
      return new Rejected(Reason.UNKNOWN_ISSUER, "", null);
    }
    if (l.explaining()) {
      l.step("route", true, "issuer " + a.issuer());
    }
    return a.authenticate(t, l);
  }
}
