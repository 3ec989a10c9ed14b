package io.github.kubeoidc.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.kubeoidc.tls.Pem;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A development OpenID Connect issuer on loopback: HTTPS with a throwaway CA, a discovery document and a
 * JWKS (as Dex serves them, {@code /keys} with {@code Cache-Control: max-age}), and a minter of signed
 * ID tokens. The demo runs on it; tests use it as the real issuer, rotating keys and going down and up.
 */
public final class DevIssuer implements AutoCloseable {
  private final DevCa ca = new DevCa("kube-oidc-webhook dev issuer CA");
  private final String host;
  private final DevCa.Issued serving;
  private final List<JWK> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicInteger discoveryFetches = new AtomicInteger();
  private volatile JWK signingKey;
  private volatile String maxAge = "600";
  private volatile String issuerOverride;
  private final Map<String, String[]> documents = new java.util.concurrent.ConcurrentHashMap<>();
  private HttpsServer server;
  private int port;

  /** An issuer for {@code 127.0.0.1} with no keys that does not listen yet: {@link #listen(int)} starts it. */
  public DevIssuer() {
    this("127.0.0.1");
  }

  private DevIssuer(String host) {
    this.host = host;
    List<String> dnsNames = "127.0.0.1".equals(host) ? List.of("localhost") : List.of(host, "localhost");
    this.serving = ca.server(host, dnsNames, List.of("127.0.0.1"));
  }

  /** Starts on a free loopback port with one RSA-2048 signing key (Dex's default). */
  public static DevIssuer start() {
    return start("127.0.0.1", 0);
  }

  /**
   * Starts on this loopback port (0: a free one) as {@code https://HOST:PORT}: the URL, the discovery
   * document and the serving certificate's DNS name say {@code host}, while the socket stays on
   * 127.0.0.1, so clients must resolve {@code host} to loopback (a hosts file, {@code jdk.net.hosts.file}).
   */
  public static DevIssuer start(String host, int port) {
    DevIssuer d = new DevIssuer(host);
    d.signWith(d.addRsaKey());
    d.listen(port);
    return d;
  }

  /** The issuer URL, {@code https://HOST:PORT} ({@code https://127.0.0.1:PORT} unless started with a host). */
  public String url() {
    return "https://" + host + ":" + port;
  }

  /** PEM of the CA that signed the issuer's serving certificate: {@code issuer.certificateAuthority}. */
  public String caPem() {
    return ca.certificatePem();
  }

  public DevCa ca() {
    return ca;
  }

  public int jwksFetches() {
    return jwksFetches.get();
  }

  public int discoveryFetches() {
    return discoveryFetches.get();
  }

  /** Generates and publishes a new RSA-2048 key. */
  public RSAKey addRsaKey() {
    try {
      RSAKey k = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).keyUse(KeyUse.SIGNATURE).generate();
      published.add(k);
      return k;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Generates and publishes a new EC key on this curve (P-256 for ES256). */
  public ECKey addEcKey(Curve curve) {
    try {
      ECKey k = new ECKeyGenerator(curve).keyID(UUID.randomUUID().toString()).keyUse(KeyUse.SIGNATURE).generate();
      published.add(k);
      return k;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Publishes a key made elsewhere. */
  public void publish(JWK key) {
    published.add(key);
  }

  /** Stops publishing a key (as Dex does once its tokens have expired). */
  public void unpublish(JWK key) {
    published.removeIf(k -> k.getKeyID() != null && k.getKeyID().equals(key.getKeyID()));
  }

  public void signWith(JWK key) {
    this.signingKey = key;
  }

  public JWK signingKey() {
    return signingKey;
  }

  /**
   * Serves {@code body} at {@code /claims/NAME} (a distributed claims endpoint), answering 401 unless the
   * request carries {@code Authorization: Bearer requiredBearer} (null: no check).
   */
  public String serveClaims(String name, String body, String requiredBearer) {
    documents.put(name, new String[] {body, requiredBearer});
    return url() + "/claims/" + name;
  }

  /** Makes the discovery document name another issuer (a misconfiguration to test). */
  public void advertiseIssuer(String issuer) {
    this.issuerOverride = issuer;
  }

  /** The JWKS's {@code Cache-Control: max-age} in seconds. */
  public void maxAge(int seconds) {
    this.maxAge = String.valueOf(seconds);
  }

  /** Signs these claims with the current signing key (RS256 for RSA, ES* by curve for EC). */
  public String mint(Map<String, Object> claims) {
    return mint(signingKey, claims);
  }

  /** Signs these claims with the given key and its natural algorithm. */
  public String mint(JWK key, Map<String, Object> claims) {
    return sign(key, defaultAlgorithm(key), key.getKeyID(), JSONObjectUtils.toJSONString(claims));
  }

  /** Signs an arbitrary payload: any key, algorithm, kid (null: none) and raw JSON, for hostile-token tests. */
  public static String sign(JWK key, JWSAlgorithm alg, String kid, String payloadJson) {
    try {
      JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
      JWSHeader.Builder h = new JWSHeader.Builder(alg);
      if (kid != null) {
        h.keyID(kid);
      }
      JWSObject jws = new JWSObject(h.build(), new Payload(payloadJson));
      jws.sign(signer);
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign", e);
    }
  }

  public static JWSAlgorithm defaultAlgorithm(JWK key) {
    if (key instanceof ECKey ec) {
      Curve c = ec.getCurve();
      return Curve.P_384.equals(c) ? JWSAlgorithm.ES384 : Curve.P_521.equals(c) ? JWSAlgorithm.ES512 : JWSAlgorithm.ES256;
    }
    return JWSAlgorithm.RS256;
  }

  /** Standard ID-token claims for this issuer, valid for an hour from now. */
  public Map<String, Object> claims(String audience, String subject) {
    long now = System.currentTimeMillis() / 1000;
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("iss", url());
    c.put("sub", subject);
    c.put("aud", audience);
    c.put("iat", now);
    c.put("exp", now + 3600);
    return c;
  }

  /** Starts listening (again) on this port; 0 picks a free one. */
  public synchronized void listen(int wanted) {
    try {
      HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", wanted), 16);
      s.setHttpsConfigurator(new HttpsConfigurator(serverContext()));
      s.createContext("/.well-known/openid-configuration", this::discovery);
      s.createContext("/keys", this::jwks);
      s.createContext("/claims/", this::claimsDocument);
      s.start();
      server = s;
      port = s.getAddress().getPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start dev issuer on port " + wanted, e);
    }
  }

  /** Stops answering (an outage); {@link #listen(int)} with {@link #port()} brings it back. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    stop();
  }

  private void discovery(HttpExchange ex) throws IOException {
    discoveryFetches.incrementAndGet();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuerOverride != null ? issuerOverride : url());
    doc.put("jwks_uri", url() + "/keys");
    doc.put("authorization_endpoint", url() + "/auth");
    doc.put("token_endpoint", url() + "/token");
    doc.put("response_types_supported", List.of("code"));
    doc.put("subject_types_supported", List.of("public"));
    doc.put("id_token_signing_alg_values_supported", List.of("RS256", "ES256"));
    respond(ex, JSONObjectUtils.toJSONString(doc), null);
  }

  private void jwks(HttpExchange ex) throws IOException {
    jwksFetches.incrementAndGet();
    List<JWK> pub = new ArrayList<>();
    published.forEach(k -> pub.add(k.toPublicJWK()));
    respond(ex, new JWKSet(pub).toString(true), "public, max-age=" + maxAge + ", must-revalidate, no-transform");
  }

  private void claimsDocument(HttpExchange ex) throws IOException {
    String[] doc = documents.get(ex.getRequestURI().getPath().substring("/claims/".length()));
    if (doc == null) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (doc[1] != null && !("Bearer " + doc[1]).equals(auth)) {
      ex.sendResponseHeaders(401, -1);
      ex.close();
      return;
    }
    respond(ex, doc[0], null);
  }

  private static void respond(HttpExchange ex, String body, String cacheControl) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (cacheControl != null) {
      ex.getResponseHeaders().set("Cache-Control", cacheControl);
    }
    ex.sendResponseHeaders(200, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  private SSLContext serverContext() {
    try {
      X509Certificate cert = serving.certificate();
      KeyStore ks = Pem.keyStore(List.of(cert, ca.certificate()), Pem.privateKey(serving.privateKeyPem()), new char[0]);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
