package io.github.kubeoidc.cli;

import io.github.kubeoidc.config.LegacyFlags;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** kube-apiserver's {@code --oidc-*} flags, same names and meanings. */
public final class LegacyOidcFlags {
  @Option(names = "--oidc-issuer-url", paramLabel = "URL",
      description = "Legacy single-issuer mode: the issuer URL (https). Exclusive with --authentication-config.")
  String issuerUrl;

  @Option(names = "--oidc-client-id", paramLabel = "ID", description = "Audience the token must carry.")
  String clientId;

  @Option(names = "--oidc-ca-file", paramLabel = "FILE", description = "PEM CA bundle for the issuer's TLS (default: system trust).")
  Path caFile;

  @Option(names = "--oidc-username-claim", paramLabel = "CLAIM", description = "Claim used as username (default: sub).")
  String usernameClaim;

  @Option(names = "--oidc-username-prefix", paramLabel = "PREFIX",
      description = "Username prefix; '-' for none; unset means ISSUER# unless the claim is email.")
  String usernamePrefix;

  @Option(names = "--oidc-groups-claim", paramLabel = "CLAIM", description = "Groups claim (a string or an array of strings).")
  String groupsClaim;

  @Option(names = "--oidc-groups-prefix", paramLabel = "PREFIX", description = "Prefix for every group.")
  String groupsPrefix;

  @Option(names = "--oidc-required-claim", paramLabel = "KEY=VALUE",
      description = "Repeatable; the claim must be present with this string value.")
  List<String> requiredClaims = new ArrayList<>();

  @Option(names = "--oidc-signing-algs", paramLabel = "ALG[,ALG...]", split = ",",
      description = "Accepted JWS algorithms (default: RS256).")
  List<String> signingAlgs = new ArrayList<>();

  public LegacyFlags toLegacyFlags() {
    return new LegacyFlags(issuerUrl, clientId, caFile, usernameClaim, usernamePrefix, groupsClaim, groupsPrefix,
        requiredClaims, signingAlgs);
  }
}
