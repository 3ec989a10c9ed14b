package io.github.kubeoidc.testing;

import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.demo.DevIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** AuthenticationConfiguration files pointing at test issuers. */
public final class Configs {
  private Configs() {}

  /** A serving certificate and its key, as written by {@link #servingTls}. */
  public record ServingTls(Path cert, Path key, DevCa.Issued issued) {}

  /** A certificate from {@code ca} for {@code cn}, localhost and 127.0.0.1, written to tls.crt and tls.key in {@code dir}. */
  public static ServingTls servingTls(Path dir, DevCa ca, String cn) {
    DevCa.Issued issued = ca.server(cn, java.util.List.of("localhost"), java.util.List.of("127.0.0.1"));
    return new ServingTls(write(dir, "tls.crt", issued.certificatePem()), write(dir, "tls.key", issued.privateKeyPem()), issued);
  }

  /** One jwt entry for {@code issuer}, username from sub with no prefix, groups from "groups". */
  public static String jwt(DevIssuer issuer, String audience) {
    return jwt(issuer.url(), issuer.caPem(), audience);
  }

  /** The same, trusting {@code caPem} for the issuer's TLS. */
  public static String jwt(String url, String caPem, String audience) {
    StringBuilder ca = new StringBuilder();
    caPem.lines().forEach(l -> ca.append("      ").append(l).append('\n'));
    return """
        - issuer:
            url: %s
            audiences: [%s]
            certificateAuthority: |
        %s  claimMappings:
            username: {claim: sub, prefix: ""}
            groups: {claim: groups, prefix: ""}
        """.formatted(url, audience, ca);
  }

  public static String file(String... jwtEntries) {
    return "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n" + String.join("", jwtEntries);
  }

  public static Path write(Path dir, String name, String text) {
    try {
      return Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
