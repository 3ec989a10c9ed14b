package io.github.kubeoidc.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs deploy/gencert.sh and checks what it makes with the JDK's own certificate path validation. */
class GencertTest {
  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final int DNS = 2;
  static final int IP = 7;

  @TempDir static Path dir;
  static Path certs;
  static String printed;

  @BeforeAll
  static void generate() throws Exception {
    certs = dir.resolve("certs");
    printed = Commands.gencert(certs).stdout();
  }

  static X509Certificate cert(String name) throws Exception {
    return Pem.certificates(Files.readString(certs.resolve(name))).get(0);
  }

  static PrivateKey key(String name) throws Exception {
    return Pem.privateKey(Files.readString(certs.resolve(name)));
  }

  @Test
  void writesEveryFileWithPrivateKeysReadableByTheOwnerOnly() throws Exception {
    for (String f : List.of("ca.crt", "ca.key", "tls.crt", "tls.key", "client-ca.crt", "client-ca.key",
        "apiserver-client.crt", "apiserver-client.key")) {
      assertTrue(Files.isRegularFile(certs.resolve(f)), f);
      if (f.endsWith(".key")) {
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(certs.resolve(f)), f + " mode");
      }
    }
    try (var files = Files.list(certs)) {
      assertEquals(8, files.count(), "no CSRs, serial files or other leftovers");
    }
  }

  @Test
  void servingCertificateNamesTheServiceAndLoopbackAndChainsToTheCa() throws Exception {
    X509Certificate tls = cert("tls.crt");
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (List<?> san : tls.getSubjectAlternativeNames()) {
      int type = (Integer) san.get(0);
      if (type == DNS) {
        dns.add((String) san.get(1));
      } else if (type == IP) {
        ips.add((String) san.get(1));
      }
    }
    assertEquals(List.of("kube-oidc-webhook", "kube-oidc-webhook.kube-oidc-webhook",
        "kube-oidc-webhook.kube-oidc-webhook.svc", "kube-oidc-webhook.kube-oidc-webhook.svc.cluster.local",
        "localhost"), dns);
    assertEquals(List.of("127.0.0.1"), ips);
    assertTrue(tls.getExtendedKeyUsage().contains(SERVER_AUTH), "serverAuth");
    assertEquals(-1, tls.getBasicConstraints(), "not a CA");
    validates(tls, cert("ca.crt"));
    assertTrue(cert("ca.crt").getBasicConstraints() >= 0, "ca.crt is a CA");
    matches(tls, key("tls.key"));
  }

  @Test
  void apiserverClientCertificateIsForClientAuthAndChainsToTheClientCa() throws Exception {
    X509Certificate client = cert("apiserver-client.crt");
    assertEquals("CN=kube-apiserver", client.getSubjectX500Principal().getName());
    assertEquals(List.of(CLIENT_AUTH), client.getExtendedKeyUsage());
    validates(client, cert("client-ca.crt"));
    matches(client, key("apiserver-client.key"));
    // two CAs: a leaked serving key cannot mint client certificates the webhook would accept
    assertNotEquals(cert("ca.crt").getPublicKey(), cert("client-ca.crt").getPublicKey());
  }

  @Test
  void printsTheKubectlCommandsForTheSecretsTheManifestsMount() {
    assertTrue(printed.contains("kubectl -n kube-oidc-webhook create secret tls kube-oidc-webhook-tls --cert="
        + certs.resolve("tls.crt") + " --key=" + certs.resolve("tls.key")), printed);
    assertTrue(printed.contains("kubectl -n kube-oidc-webhook create secret generic kube-oidc-webhook-client-ca"
        + " --from-file=ca.crt=" + certs.resolve("client-ca.crt")), printed);
  }

  @Test
  void refusesToOverwriteExistingFiles() throws Exception {
    byte[] before = Files.readAllBytes(certs.resolve("ca.key"));
    Commands.Result again = Commands.runAllowingFailure(Duration.ofSeconds(60),
        List.of("bash", "deploy/gencert.sh", certs.toString()));
    assertEquals(1, again.exitCode());
    assertTrue(again.stderr().contains("already exists"), again.stderr());
    assertArrayEquals(before, Files.readAllBytes(certs.resolve("ca.key")));
  }

  /** PKIX validation from {@code ca} as the only trust anchor (no revocation data exists for these). */
  static void validates(X509Certificate leaf, X509Certificate ca) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
    assertFalse(leaf.getIssuerX500Principal().equals(leaf.getSubjectX500Principal()), "not self-signed");
  }

  /** The key file holds the certificate's private key: a signature by one verifies with the other. */
  static void matches(X509Certificate cert, PrivateKey key) throws Exception {
    byte[] data = "kube-oidc-webhook".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(data);
    byte[] sig = s.sign();
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(cert.getPublicKey());
    v.update(data);
    assertTrue(v.verify(sig), "key matches certificate");
  }
}
