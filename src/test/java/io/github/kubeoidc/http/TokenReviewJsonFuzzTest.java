package io.github.kubeoidc.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.kubeoidc.testing.FuzzIssuer;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.TokenAuthenticator;
import java.io.IOException;

/**
 * Fuzz target for the TokenReview JSON path: any request body is either a {@link TokenReviewJson.BadRequest}
 * (HTTP 400 with a JSON error) or a TokenReview whose token is authenticated and answered in the request's
 * apiVersion. Nothing else may be thrown. Seeds: {@code TokenReviewJsonFuzzTestInputs/parseAndAnswer/}.
 */
class TokenReviewJsonFuzzTest {
  static final TokenAuthenticator AUTHENTICATOR = FuzzIssuer.authenticator();
  static final ObjectMapper JSON = new ObjectMapper();

  @FuzzTest(maxDuration = "60s")
  void parseAndAnswer(byte[] body) throws IOException {
    TokenReviewJson.Request req;
    try {
      req = TokenReviewJson.parse(body);
    } catch (TokenReviewJson.BadRequest e) {
      if (e.getMessage() == null || e.getMessage().isEmpty()) {
        throw new AssertionError("a bad request needs a message");
      }
      JSON.readTree(TokenReviewJson.error(e.getMessage())); // the 400 body is JSON
      return;
    }
    AuthResult result = AUTHENTICATOR.authenticate(req.token());
    JsonNode answer = JSON.readTree(TokenReviewJson.response(req.apiVersion(), result));
    if (!req.apiVersion().equals(answer.get("apiVersion").asText()) || !"TokenReview".equals(answer.get("kind").asText())) {
      throw new AssertionError("answer in another apiVersion or kind: " + answer);
    }
    boolean authenticated = answer.at("/status/authenticated").asBoolean();
    if (authenticated != result instanceof AuthResult.Authenticated) {
      throw new AssertionError("status.authenticated does not match the result: " + answer);
    }
    if (authenticated && !FuzzIssuer.issued(req.token())) {
      throw new AssertionError("authenticated a token the test issuer did not sign");
    }
  }
}
