package io.github.kubeoidc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimValidationRule;
import io.github.kubeoidc.config.JwtAuthenticator.Issuer;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import io.github.kubeoidc.demo.DevCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** kube-apiserver's {@code --oidc-*} flags, turned into the model a configuration file gives. */
class LegacyFlagsTest {
  private static final String ISSUER = "https://issuer.example";
  private static final String SUPPORTED = "supported values: " + WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS;

  @TempDir Path dir;

  /** The flags as a user types them; null means not given. */
  private static final class Flags {
    String issuerUrl = ISSUER;
    String clientId = "my-client";
    Path caFile;
    String usernameClaim;
    String usernamePrefix;
    String groupsClaim;
    String groupsPrefix;
    List<String> requiredClaims = new ArrayList<>();
    List<String> signingAlgs = new ArrayList<>();

    LegacyFlags build() {
      return new LegacyFlags(issuerUrl, clientId, caFile, usernameClaim, usernamePrefix, groupsClaim, groupsPrefix,
          requiredClaims, signingAlgs);
    }

    JwtAuthenticator authenticator() throws ConfigException {
      List<JwtAuthenticator> all = build().toWebhookConfig().authenticators();
      assertEquals(1, all.size());
      return all.get(0);
    }

    List<String> errors() {
      ConfigException e = assertThrows(ConfigException.class, () -> build().toWebhookConfig());
      return e.errors().stream().map(FieldError::toString).toList();
    }
  }

  private static Flags flags() {
    return new Flags();
  }

  // --- issuer and client id ---

  @Test
  void toWebhookConfigWhenIssuerAndClientIdThenOneAuthenticatorWithDefaults() throws Exception {
    WebhookConfig cfg = flags().build().toWebhookConfig();

    assertEquals(List.of(new JwtAuthenticator(
            new Issuer(ISSUER, null, null, List.of("my-client"), null, null),
            List.of(),
            new ClaimMappings(new PrefixedClaimOrExpression("sub", ISSUER + "#", null), null, null, List.of()),
            List.of())),
        cfg.authenticators());
    assertEquals(List.of("RS256"), cfg.signingAlgorithms());
    assertEquals("--oidc-* flags", cfg.source());
  }

  @Test
  void toWebhookConfigWhenIssuerUrlWithoutClientIdThenError() {
    Flags f = flags();
    f.clientId = null;

    assertEquals(List.of("--oidc-client-id: Required value: --oidc-issuer-url and --oidc-client-id must be specified together"),
        f.errors());
  }

  @Test
  void toWebhookConfigWhenClientIdWithoutIssuerUrlThenError() {
    Flags f = flags();
    f.issuerUrl = null;

    assertEquals(List.of("--oidc-issuer-url: Required value: --oidc-issuer-url and --oidc-client-id must be specified together"),
        f.errors());
  }

  @Test
  void toWebhookConfigWhenIssuerUrlIsEmptyThenError() {
    Flags f = flags();
    f.issuerUrl = "";

    assertEquals(List.of("--oidc-issuer-url: Required value: --oidc-issuer-url and --oidc-client-id must be specified together"),
        f.errors());
  }

  @Test
  void toWebhookConfigWhenOnlyAnAuxiliaryFlagThenIssuerUrlRequired() {
    Flags f = flags();
    f.issuerUrl = null;
    f.clientId = null;
    f.usernameClaim = "email";

    assertEquals(List.of("--oidc-issuer-url: Required value: --oidc-issuer-url and --oidc-client-id must be specified together"),
        f.errors());
  }

  @Test
  void toWebhookConfigWhenIssuerUrlIsHttpThenErrorNamesIssuerUrlFlag() {
    Flags f = flags();
    f.issuerUrl = "http://issuer.example";

    assertEquals(List.of("--oidc-issuer-url: Invalid value: \"http://issuer.example\": URL scheme must be https"),
        f.errors());
  }

  @Test
  void toWebhookConfigWhenIssuerUrlHasQueryThenErrorNamesIssuerUrlFlag() {
    Flags f = flags();
    f.issuerUrl = "https://issuer.example?x=1";

    assertEquals(List.of("--oidc-issuer-url: Invalid value: \"https://issuer.example?x=1\": URL must not contain a query"),
        f.errors());
  }

  @Test
  void toWebhookConfigWhenClientIdIsBlankThenErrorNamesClientIdFlag() {
    Flags f = flags();
    f.clientId = " ";

    assertEquals(List.of("--oidc-client-id: Required value"), f.errors());
  }

  // --- username claim and prefix ---

  static Stream<Arguments> usernames() {
    return Stream.of(
        // claim flag, prefix flag, want claim, want prefix
        Arguments.of(null, null, "sub", ISSUER + "#"),
        Arguments.of(null, "", "sub", ISSUER + "#"),
        Arguments.of("", null, "sub", ISSUER + "#"),
        Arguments.of("preferred_username", null, "preferred_username", ISSUER + "#"),
        Arguments.of("email", null, "email", ""),
        Arguments.of("email", "", "email", ""),
        Arguments.of("sub", "-", "sub", ""),
        Arguments.of("email", "-", "email", ""),
        Arguments.of("sub", "oidc:", "sub", "oidc:"),
        Arguments.of("email", "oidc:", "email", "oidc:"),
        Arguments.of("sub", "--", "sub", "--"),
        Arguments.of("sub", " ", "sub", " "));
  }

  @ParameterizedTest(name = "claim={0} prefix={1}")
  @MethodSource("usernames")
  void toWebhookConfigWhenUsernameFlagsThenLegacyPrefixRule(
      String claim, String prefix, String wantClaim, String wantPrefix) throws Exception {
    Flags f = flags();
    f.usernameClaim = claim;
    f.usernamePrefix = prefix;

    assertEquals(new PrefixedClaimOrExpression(wantClaim, wantPrefix, null), f.authenticator().claimMappings().username());
  }

  @Test
  void toWebhookConfigWhenIssuerUrlHasTrailingSlashThenDefaultPrefixKeepsIt() throws Exception {
    Flags f = flags();
    f.issuerUrl = "https://issuer.example/dex/";

    assertEquals("https://issuer.example/dex/#", f.authenticator().claimMappings().username().prefix());
  }

  // --- groups ---

  @Test
  void toWebhookConfigWhenNoGroupsClaimThenNoGroups() throws Exception {
    assertNull(flags().authenticator().claimMappings().groups());
  }

  @Test
  void toWebhookConfigWhenGroupsPrefixWithoutGroupsClaimThenNoGroups() throws Exception {
    Flags f = flags();
    f.groupsPrefix = "oidc:";

    assertNull(f.authenticator().claimMappings().groups());
  }

  @Test
  void toWebhookConfigWhenGroupsClaimThenPrefixDefaultsToNone() throws Exception {
    Flags f = flags();
    f.groupsClaim = "groups";

    assertEquals(new PrefixedClaimOrExpression("groups", "", null), f.authenticator().claimMappings().groups());
  }

  @Test
  void toWebhookConfigWhenGroupsClaimAndPrefixThenBoth() throws Exception {
    Flags f = flags();
    f.groupsClaim = "roles";
    f.groupsPrefix = "oidc:";

    assertEquals(new PrefixedClaimOrExpression("roles", "oidc:", null), f.authenticator().claimMappings().groups());
  }

  @Test
  void toWebhookConfigWhenGroupsPrefixIsDashThenVerbatim() throws Exception {
    // Only --oidc-username-prefix gives "-" a meaning.
    Flags f = flags();
    f.groupsClaim = "groups";
    f.groupsPrefix = "-";

    assertEquals("-", f.authenticator().claimMappings().groups().prefix());
  }

  // --- required claims ---

  @Test
  void toWebhookConfigWhenRequiredClaimsThenClaimRulesInOrder() throws Exception {
    Flags f = flags();
    f.requiredClaims = List.of("hd=example.com", "tags=a,b,c", "expr=x=y==z", "empty=");

    assertEquals(List.of(
            new ClaimValidationRule("hd", "example.com", null, null),
            new ClaimValidationRule("tags", "a,b,c", null, null),
            new ClaimValidationRule("expr", "x=y==z", null, null),
            new ClaimValidationRule("empty", "", null, null)),
        f.authenticator().claimValidationRules());
  }

  @Test
  void toWebhookConfigWhenRequiredClaimRepeatedThenLastWins() throws Exception {
    Flags f = flags();
    f.requiredClaims = List.of("hd=a.example", "tier=gold", "hd=b.example");

    assertEquals(List.of(
            new ClaimValidationRule("hd", "b.example", null, null),
            new ClaimValidationRule("tier", "gold", null, null)),
        f.authenticator().claimValidationRules());
  }

  @Test
  void toWebhookConfigWhenRequiredClaimHasSpacesAroundThenTrimmedAsKubernetesDoes() throws Exception {
    // k8s.io/component-base/cli/flag.MapStringString trims key and value.
    Flags f = flags();
    f.requiredClaims = List.of(" hd = example.com ");

    assertEquals(List.of(new ClaimValidationRule("hd", "example.com", null, null)),
        f.authenticator().claimValidationRules());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"hd", "=example.com", " =example.com", ""})
  void toWebhookConfigWhenRequiredClaimIsNotKeyEqualsValueThenError(String kv) {
    Flags f = flags();
    f.requiredClaims = List.of("tier=gold", kv);

    assertEquals(List.of("--oidc-required-claim: Invalid value: " + FieldError.quote(kv) + ": must be key=value"),
        f.errors());
  }

  // --- signing algorithms ---

  @Test
  void toWebhookConfigWhenSigningAlgsNotGivenThenRs256Only() throws Exception {
    assertEquals(List.of("RS256"), flags().build().toWebhookConfig().signingAlgorithms());
  }

  @Test
  void toWebhookConfigWhenSigningAlgsGivenThenExactlyThose() throws Exception {
    Flags f = flags();
    f.signingAlgs = List.of("ES256", "PS512");

    assertEquals(List.of("ES256", "PS512"), f.build().toWebhookConfig().signingAlgorithms());
  }

  @Test
  void toWebhookConfigWhenEveryAsymmetricAlgThenAccepted() throws Exception {
    Flags f = flags();
    f.signingAlgs = WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS;

    assertEquals(WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS, f.build().toWebhookConfig().signingAlgorithms());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"HS256", "HS384", "HS512", "none", "NONE", "rs256", "EdDSA", "ES256K", ""})
  void toWebhookConfigWhenUnsupportedSigningAlgThenErrorNamesSigningAlgsFlag(String alg) {
    Flags f = flags();
    f.signingAlgs = List.of("RS256", alg);

    assertEquals(List.of("--oidc-signing-algs: Unsupported value: " + FieldError.quote(alg) + ": " + SUPPORTED),
        f.errors());
  }

  // --- CA file ---

  @Test
  void toWebhookConfigWhenCaFileThenItsPemIsTheCertificateAuthority() throws Exception {
    String pem = new DevCa("test").certificatePem();
    Path ca = Files.writeString(dir.resolve("ca.pem"), pem, StandardCharsets.UTF_8);
    Flags f = flags();
    f.caFile = ca;

    assertEquals(pem, f.authenticator().issuer().certificateAuthority());
  }

  @Test
  void toWebhookConfigWhenCaFileMissingThenErrorNamesCaFileFlag() {
    Path missing = dir.resolve("missing-ca.pem");
    Flags f = flags();
    f.caFile = missing;

    assertEquals(List.of("--oidc-ca-file: Invalid value: " + FieldError.quote(missing.toString())
        + ": cannot read: java.nio.file.NoSuchFileException: " + missing), f.errors());
  }

  @Test
  void toWebhookConfigWhenCaFileHoldsNoCertificateThenErrorNamesCaFileFlagAndOmitsData() throws Exception {
    String keyPem = new DevCa("test").client("someone").privateKeyPem();
    Path ca = Files.writeString(dir.resolve("key.pem"), keyPem, StandardCharsets.UTF_8);
    Flags f = flags();
    f.caFile = ca;

    List<String> errors = f.errors();

    assertEquals(List.of("--oidc-ca-file: Invalid value: <omitted>: no PEM certificate found"), errors);
  }

  // --- every problem at once ---

  @Test
  void toWebhookConfigWhenSeveralBadFlagsThenEachIsReported() {
    Flags f = flags();
    f.clientId = null;
    f.caFile = dir.resolve("nope.pem");
    f.signingAlgs = List.of("HS256", "none");
    f.requiredClaims = List.of("hd");

    assertEquals(List.of(
            "--oidc-client-id: Required value: --oidc-issuer-url and --oidc-client-id must be specified together",
            "--oidc-ca-file: Invalid value: " + FieldError.quote(f.caFile.toString())
                + ": cannot read: java.nio.file.NoSuchFileException: " + f.caFile,
            "--oidc-signing-algs: Unsupported value: \"HS256\": " + SUPPORTED,
            "--oidc-signing-algs: Unsupported value: \"none\": " + SUPPORTED,
            "--oidc-required-claim: Invalid value: \"hd\": must be key=value"),
        f.errors());
  }

  @Test
  void toWebhookConfigWhenErrorThenMessageRendersTheFlags() {
    Flags f = flags();
    f.issuerUrl = "http://issuer.example";

    ConfigException e = assertThrows(ConfigException.class, () -> f.build().toWebhookConfig());

    assertEquals("invalid configuration: --oidc-issuer-url: Invalid value: \"http://issuer.example\": "
        + "URL scheme must be https", e.getMessage());
  }

  // --- anySet ---

  @Test
  void anySetWhenNothingGivenThenFalse() {
    assertFalse(new LegacyFlags(null, null, null, null, null, null, null, null, null).anySet());
    assertFalse(new LegacyFlags(null, null, null, null, null, null, null, List.of(), List.of()).anySet());
  }

  static Stream<LegacyFlags> singleFlags() {
    return Stream.of(
        new LegacyFlags(ISSUER, null, null, null, null, null, null, null, null),
        new LegacyFlags(null, "c", null, null, null, null, null, null, null),
        new LegacyFlags(null, null, Path.of("ca.pem"), null, null, null, null, null, null),
        new LegacyFlags(null, null, null, "email", null, null, null, null, null),
        new LegacyFlags(null, null, null, null, "-", null, null, null, null),
        new LegacyFlags(null, null, null, null, null, "groups", null, null, null),
        new LegacyFlags(null, null, null, null, null, null, "", null, null),
        new LegacyFlags(null, null, null, null, null, null, null, List.of("a=b"), null),
        new LegacyFlags(null, null, null, null, null, null, null, null, List.of("RS256")));
  }

  @ParameterizedTest
  @MethodSource("singleFlags")
  void anySetWhenAnyOneFlagGivenThenTrue(LegacyFlags flags) {
    assertTrue(flags.anySet());
  }

  @Test
  void constructorWhenListsGivenThenCopied() {
    List<String> claims = new ArrayList<>(List.of("a=b"));
    LegacyFlags flags = new LegacyFlags(ISSUER, "c", null, null, null, null, null, claims, null);
    claims.add("c=d");

    assertEquals(List.of("a=b"), flags.requiredClaims());
    assertEquals(List.of(), flags.signingAlgs());
  }
}
