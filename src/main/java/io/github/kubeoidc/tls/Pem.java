package io.github.kubeoidc.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM certificates and keys, as Kubernetes components read them: certificate bundles, and private keys
 * in PKCS#1 ({@code RSA PRIVATE KEY}), PKCS#8 ({@code PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}).
 * Messages never contain the PEM data.
 */
public final class Pem {
  private Pem() {
    throw new AssertionError();
  }

  /**
   * The configured CA as PEM text. Kubernetes takes PEM; published guides often show base64 of the PEM
   * (as in a kubeconfig's {@code certificate-authority-data}), so that is accepted too.
   */
  public static String decodeCertificateAuthority(String value) {
    if (value.contains("-----BEGIN")) {
      return value;
    }
    try {
      String decoded = new String(Base64.getMimeDecoder().decode(value.strip()), StandardCharsets.UTF_8);
      if (decoded.contains("-----BEGIN")) {
        return decoded;
      }
    } catch (IllegalArgumentException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("certificate authority is neither PEM nor base64-encoded PEM");
  }

  /** Every certificate in a PEM bundle; at least one, else an error. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof X509CertificateHolder h) {
          out.add(conv.getCertificate(h));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new IllegalArgumentException("cannot parse PEM certificate data: " + e.getClass().getSimpleName());
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate found");
    }
    return out;
  }

  /** The first private key in the PEM text (PKCS#1, PKCS#8 or EC). */
  public static PrivateKey privateKey(String pem) {
    JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof PEMKeyPair kp) {
          return conv.getPrivateKey(kp.getPrivateKeyInfo()); // SEC1 keys may omit the public part
        }
        if (o instanceof PrivateKeyInfo info) {
          return conv.getPrivateKey(info);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot parse PEM private key: " + e.getClass().getSimpleName());
    }
    throw new IllegalArgumentException("no PEM private key found (expected RSA PRIVATE KEY, PRIVATE KEY or EC PRIVATE KEY)");
  }

  /** A trust store holding exactly these CA certificates. */
  public static KeyStore trustStore(List<X509Certificate> cas) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build trust store", e);
    }
  }

  /** A key store with one entry: the private key and its certificate chain. */
  public static KeyStore keyStore(List<X509Certificate> chain, PrivateKey key, char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("serving", key, password, chain.toArray(new Certificate[0]));
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("certificate and private key do not form a usable key pair: " + e.getMessage());
    }
  }

  /** Throws unless {@code key} is the private key of {@code cert} (a half-rotated pair must not be served). */
  public static void checkKeyMatches(X509Certificate cert, PrivateKey key) {
    try {
      String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      java.security.Signature s = java.security.Signature.getInstance(alg);
      s.initSign(key);
      byte[] probe = "kube-oidc-webhook key check".getBytes(StandardCharsets.UTF_8);
      s.update(probe);
      byte[] sig = s.sign();
      java.security.Signature v = java.security.Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      if (!v.verify(sig)) {
        throw new IllegalArgumentException("the private key does not belong to the certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the private key does not belong to the certificate: " + e.getClass().getSimpleName());
    }
  }

  /** A TLS client context trusting only these CAs, or the system trust store when {@code cas} is empty. */
  public static SSLContext clientContext(List<X509Certificate> cas) {
    try {
      if (cas.isEmpty()) {
        return SSLContext.getDefault();
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore(cas));
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build TLS context", e);
    }
  }
}
