package io.github.kubeoidc.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.tls.Pem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A real HTTP client for tests: plain, or TLS trusting a test CA, optionally with a client certificate. */
public final class Http {
  public static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client;

  private Http(HttpClient client) {
    this.client = client;
  }

  public static Http plain() {
    return new Http(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  /** TLS (HTTP/2 by ALPN when offered) trusting {@code ca}; {@code clientCert} may be null. */
  public static Http tls(DevCa ca, DevCa.Issued clientCert) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(Pem.trustStore(List.of(ca.certificate())));
      KeyManagerFactory kmf = null;
      if (clientCert != null) {
        KeyStore ks = Pem.keyStore(List.of(clientCert.certificate()), Pem.privateKey(clientCert.privateKeyPem()), new char[0]);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return new Http(HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** TLS with a context the caller built (trust and client certificate from files, say). */
  public static Http tls(SSLContext ctx) {
    return new Http(HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build());
  }

  public record Response(int status, String body, HttpClient.Version version) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  public Response get(URI uri) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build());
  }

  public Response post(URI uri, String contentType, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b.build());
  }

  /** POSTs a TokenReview of this apiVersion carrying {@code token}, as kube-apiserver does. */
  public Response review(URI base, String apiVersion, String token) throws IOException, InterruptedException {
    String body = JSON.createObjectNode()
        .put("apiVersion", apiVersion)
        .put("kind", "TokenReview")
        .set("spec", JSON.createObjectNode().put("token", token).set("audiences", JSON.createArrayNode().add("https://kubernetes.default.svc")))
        .toString();
    return post(base.resolve("/authenticate?timeout=30s"), "application/json", body);
  }

  private Response send(HttpRequest req) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r.version());
  }
}
