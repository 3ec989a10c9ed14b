package io.github.kubeoidc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.config.JwtAuthenticator.ClaimMappings;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimOrExpression;
import io.github.kubeoidc.config.JwtAuthenticator.ClaimValidationRule;
import io.github.kubeoidc.config.JwtAuthenticator.Issuer;
import io.github.kubeoidc.config.JwtAuthenticator.PrefixedClaimOrExpression;
import io.github.kubeoidc.demo.DevCa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading {@code --authentication-config} files: formats, versions, strict decoding, and file problems. */
class ConfigLoaderTest {
  private static final String URL = "https://issuer.example";
  private static String caPem;

  @TempDir Path dir;

  @BeforeAll
  static void makeCa() {
    caPem = new DevCa("test").certificatePem();
  }

  private Path write(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private static String minimalYaml(String apiVersion) {
    return """
        apiVersion: %s
        kind: AuthenticationConfiguration
        jwt:
        - issuer:
            url: https://issuer.example
            audiences:
            - my-client
          claimMappings:
            username:
              claim: sub
              prefix: ""
        """.formatted(apiVersion);
  }

  private static String minimalJson(String apiVersion) {
    return """
        {
          "apiVersion": "%s",
          "kind": "AuthenticationConfiguration",
          "jwt": [
            {
              "issuer": {"url": "https://issuer.example", "audiences": ["my-client"]},
              "claimMappings": {"username": {"claim": "sub", "prefix": ""}}
            }
          ]
        }
        """.formatted(apiVersion);
  }

  private static final JwtAuthenticator MINIMAL = new JwtAuthenticator(
      new Issuer(URL, null, null, List.of("my-client"), null, null),
      List.of(),
      new ClaimMappings(new PrefixedClaimOrExpression("sub", "", null), null, null, List.of()),
      List.of());

  static Stream<String> apiVersions() {
    return AuthenticationConfiguration.API_VERSIONS.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apiVersions")
  void loadWhenYamlOfEachApiVersionThenLoads(String apiVersion) throws Exception {
    Path f = write("authn.yaml", minimalYaml(apiVersion));

    WebhookConfig cfg = ConfigLoader.load(f);

    assertEquals(List.of(MINIMAL), cfg.authenticators());
    assertEquals(WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS, cfg.signingAlgorithms());
    assertEquals(f.toString(), cfg.source());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apiVersions")
  void loadWhenJsonOfEachApiVersionThenLoads(String apiVersion) throws Exception {
    Path f = write("authn.json", minimalJson(apiVersion));

    WebhookConfig cfg = ConfigLoader.load(f);

    assertEquals(List.of(MINIMAL), cfg.authenticators());
    assertEquals(WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS, cfg.signingAlgorithms());
  }

  @Test
  void loadWhenJsonHasLeadingWhitespaceThenLoads() throws Exception {
    Path f = write("authn.json", "\n\n   " + minimalJson("apiserver.config.k8s.io/v1"));

    assertEquals(List.of(MINIMAL), ConfigLoader.load(f).authenticators());
  }

  private static String indent(String text, int spaces) {
    return text.strip().lines().map(l -> " ".repeat(spaces) + l).reduce((a, b) -> a + "\n" + b).orElseThrow();
  }

  /** Every field Kubernetes defines for a {@code jwt} entry that this version acts on. */
  private static JwtAuthenticator everyField(String ca) {
    return new JwtAuthenticator(
        new Issuer(URL, "https://discovery.example/dex/.well-known/openid-configuration", ca,
            List.of("my-client", "other-client"), "MatchAny", null),
        List.of(new ClaimValidationRule("hd", "example.com", null, null),
            new ClaimValidationRule("tier", "gold", null, null)),
        new ClaimMappings(
            new PrefixedClaimOrExpression("email", "oidc:", null),
            new PrefixedClaimOrExpression("groups", "oidc-group:", null),
            new ClaimOrExpression("sub", null),
            List.of()),
        List.of());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apiVersions")
  void loadWhenYamlSetsEveryFieldThenEachIsRead(String apiVersion) throws Exception {
    Path f = write("authn.yaml", """
        apiVersion: %s
        kind: AuthenticationConfiguration
        jwt:
        - issuer:
            url: https://issuer.example
            discoveryURL: https://discovery.example/dex/.well-known/openid-configuration
            certificateAuthority: |
        %s
            audiences:
            - my-client
            - other-client
            audienceMatchPolicy: MatchAny
          claimValidationRules:
          - claim: hd
            requiredValue: example.com
          - claim: tier
            requiredValue: gold
          claimMappings:
            username:
              claim: email
              prefix: "oidc:"
            groups:
              claim: groups
              prefix: "oidc-group:"
            uid:
              claim: sub
        """.formatted(apiVersion, indent(caPem, 6)));

    WebhookConfig cfg = ConfigLoader.load(f);

    assertEquals(List.of(everyField(caPem.strip() + "\n")), cfg.authenticators());
  }

  @Test
  void loadWhenJsonSetsEveryFieldThenEachIsRead() throws Exception {
    String caJson = caPem.replace("\n", "\\n");
    Path f = write("authn.json", """
        {
          "apiVersion": "apiserver.config.k8s.io/v1beta1",
          "kind": "AuthenticationConfiguration",
          "jwt": [{
            "issuer": {
              "url": "https://issuer.example",
              "discoveryURL": "https://discovery.example/dex/.well-known/openid-configuration",
              "certificateAuthority": "%s",
              "audiences": ["my-client", "other-client"],
              "audienceMatchPolicy": "MatchAny"
            },
            "claimValidationRules": [
              {"claim": "hd", "requiredValue": "example.com"},
              {"claim": "tier", "requiredValue": "gold"}
            ],
            "claimMappings": {
              "username": {"claim": "email", "prefix": "oidc:"},
              "groups": {"claim": "groups", "prefix": "oidc-group:"},
              "uid": {"claim": "sub"}
            }
          }]
        }
        """.formatted(caJson));

    assertEquals(List.of(everyField(caPem)), ConfigLoader.load(f).authenticators());
  }

  @Test
  void loadWhenCertificateAuthorityIsBase64OfPemThenLoadsVerbatim() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer:
            url: https://issuer.example
            certificateAuthority: %s
            audiences: [my-client]
          claimMappings:
            username: {claim: sub, prefix: ""}
        """.formatted(b64));

    WebhookConfig cfg = ConfigLoader.load(f);

    // The model keeps the text as written; the key source decodes it (Pem.decodeCertificateAuthority).
    assertEquals(b64, cfg.authenticators().get(0).issuer().certificateAuthority());
  }

  @Test
  void loadWhenMimeWrappedBase64OfPemThenLoads() throws Exception {
    String b64 = Base64.getMimeEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer:
            url: https://issuer.example
            certificateAuthority: |
        %s
            audiences: [my-client]
          claimMappings:
            username: {claim: sub, prefix: ""}
        """.formatted(indent(b64, 6)));

    assertEquals(1, ConfigLoader.load(f).authenticators().size());
  }

  @Test
  void loadWhenUsernamePrefixAbsentThenPrefixIsNullForTheDefault() throws Exception {
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer: {url: "https://issuer.example", audiences: [my-client]}
          claimMappings:
            username: {claim: sub}
            groups: {claim: groups}
        """);

    ClaimMappings m = ConfigLoader.load(f).authenticators().get(0).claimMappings();

    // null (absent) differs from "" (no prefix): absent takes the legacy default at mapping time.
    assertEquals(new PrefixedClaimOrExpression("sub", null, null), m.username());
    assertEquals(new PrefixedClaimOrExpression("groups", null, null), m.groups());
  }

  @Test
  void loadWhenSeveralAuthenticatorsThenAllAreReadInOrder() throws Exception {
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer: {url: "https://a.example", audiences: [a]}
          claimMappings: {username: {claim: sub, prefix: "a:"}}
        - issuer: {url: "https://b.example/", audiences: [b]}
          claimMappings: {username: {claim: sub, prefix: "b:"}}
        """);

    List<JwtAuthenticator> got = ConfigLoader.load(f).authenticators();

    assertEquals(List.of("https://a.example", "https://b.example/"), got.stream().map(a -> a.issuer().url()).toList());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"anonymous:\n", "anonymous: {}\n",
      "anonymous:\n  enabled: true\n  conditions:\n  - path: /healthz\n"})
  void loadWhenAnonymousIsPresentThenAcceptedAndIgnored(String anonymous) throws Exception {
    Path f = write("authn.yaml", minimalYaml("apiserver.config.k8s.io/v1") + anonymous);

    assertEquals(List.of(MINIMAL), ConfigLoader.load(f).authenticators());
  }

  @Test
  void loadWhenEgressSelectorTypeIsSetThenAcceptedAndIgnored() throws Exception {
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer: {url: "https://issuer.example", audiences: [my-client], egressSelectorType: cluster}
          claimMappings: {username: {claim: sub, prefix: ""}}
        """);

    assertEquals(1, ConfigLoader.load(f).authenticators().size());
  }

  record UnknownCase(String name, String text, String wantError) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<UnknownCase> unknownFields() {
    String head = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n";
    return Stream.of(
        new UnknownCase("top-level", head + "foo: 1\njwt: []\n", "foo: Unknown field"),
        new UnknownCase("issuer-field", head + """
            jwt:
            - issuer: {url: "https://issuer.example", audiences: [a], foo: bar}
              claimMappings: {username: {claim: sub, prefix: ""}}
            """, "jwt[0].issuer.foo: Unknown field"),
        new UnknownCase("misspelt-discovery-url", head + """
            jwt:
            - issuer: {url: "https://issuer.example", audiences: [a], discoveryUrl: "https://d.example"}
              claimMappings: {username: {claim: sub, prefix: ""}}
            """, "jwt[0].issuer.discoveryUrl: Unknown field"),
        new UnknownCase("second-authenticator-username", head + """
            jwt:
            - issuer: {url: "https://a.example", audiences: [a]}
              claimMappings: {username: {claim: sub, prefix: ""}}
            - issuer: {url: "https://b.example", audiences: [b]}
              claimMappings: {username: {claim: sub, prefx: ""}}
            """, "jwt[1].claimMappings.username.prefx: Unknown field"),
        new UnknownCase("claim-validation-rule", head + """
            jwt:
            - issuer: {url: "https://issuer.example", audiences: [a]}
              claimValidationRules:
              - {claim: hd, requiredValue: example.com}
              - {claim: tier, value: gold}
              claimMappings: {username: {claim: sub, prefix: ""}}
            """, "jwt[0].claimValidationRules[1].value: Unknown field"),
        new UnknownCase("json-issuer-field", """
            {"apiVersion": "apiserver.config.k8s.io/v1", "kind": "AuthenticationConfiguration",
             "jwt": [{"issuer": {"url": "https://issuer.example", "audiences": ["a"], "foo": "bar"},
                      "claimMappings": {"username": {"claim": "sub", "prefix": ""}}}]}
            """, "jwt[0].issuer.foo: Unknown field"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownFields")
  void loadWhenUnknownFieldThenErrorNamesItsPath(UnknownCase c) throws Exception {
    Path f = write("authn.yaml", c.text());

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertEquals(List.of(c.wantError()), e.errors().stream().map(FieldError::toString).toList());
    assertEquals("invalid configuration: " + c.wantError(), e.getMessage());
  }

  @Test
  void loadWhenYamlHasDuplicateFieldThenError() throws Exception {
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer:
            url: https://issuer.example
            url: https://other.example
            audiences: [my-client]
          claimMappings: {username: {claim: sub, prefix: ""}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith(f + ": jwt[0].issuer: cannot decode: Duplicate field 'url'"), e.getMessage());
  }

  @Test
  void loadWhenYamlHasDuplicateTopLevelFieldThenError() throws Exception {
    Path f = write("authn.yaml", minimalYaml("apiserver.config.k8s.io/v1") + "kind: AuthenticationConfiguration\n");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith(f + ": not valid YAML or JSON: Duplicate field 'kind'"), e.getMessage());
  }

  @Test
  void loadWhenJsonHasDuplicateFieldThenError() throws Exception {
    Path f = write("authn.json", """
        {"apiVersion": "apiserver.config.k8s.io/v1", "kind": "AuthenticationConfiguration",
         "jwt": [{"issuer": {"url": "https://issuer.example", "audiences": ["a"], "audiences": ["b"]},
                  "claimMappings": {"username": {"claim": "sub", "prefix": ""}}}]}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith(f + ": jwt[0].issuer: cannot decode: Duplicate field 'audiences'"),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"empty", "whitespace", "newlines", "document-marker-only"})
  void loadWhenFileHasNoContentThenError(String kind) throws Exception {
    String text = switch (kind) {
      case "empty" -> "";
      case "whitespace" -> "   \t  ";
      case "newlines" -> "\n\n\r\n";
      case "document-marker-only" -> "---\n";
      default -> throw new AssertionError(kind);
    };
    Path f = write("authn.yaml", text);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertEquals(f + ": the configuration file is empty", e.getMessage());
  }

  @Test
  void loadWhenOnlyCommentsThenErrorNamesTheFile() throws Exception {
    Path f = write("authn.yaml", "# apiVersion: apiserver.config.k8s.io/v1\n# kind: AuthenticationConfiguration\n");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
  }

  @Test
  void loadWhenFileIsMissingThenErrorNamesTheFile() {
    Path f = dir.resolve("does-not-exist.yaml");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith("--authentication-config: cannot read " + f + ": "), e.getMessage());
  }

  @Test
  void loadWhenPathIsADirectoryThenErrorNamesTheFile() throws Exception {
    Path d = Files.createDirectory(dir.resolve("authn.yaml"));

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(d));

    assertTrue(e.getMessage().startsWith("--authentication-config: cannot read " + d + ": "), e.getMessage());
  }

  @Test
  void loadWhenNotYamlThenErrorNamesTheFile() throws Exception {
    Path f = write("authn.yaml", "apiVersion: \"unterminated\nkind: x\n");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith(f + ": not valid YAML or JSON: "), e.getMessage());
  }

  @Test
  void loadWhenJsonHasTrailingTokensThenError() throws Exception {
    Path f = write("authn.json", minimalJson("apiserver.config.k8s.io/v1") + "{}");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
  }

  @Test
  void loadWhenFieldHasWrongTypeThenErrorNamesFileAndPath() throws Exception {
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer: {url: "https://issuer.example", audiences: my-client}
          claimMappings: {username: {claim: sub, prefix: ""}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith(f + ": jwt[0].issuer.audiences: cannot decode: "), e.getMessage());
  }

  @Test
  void loadWhenTopLevelIsAListThenError() throws Exception {
    Path f = write("authn.yaml", "- a\n- b\n");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().startsWith(f + ": cannot decode: "), e.getMessage());
  }

  static Stream<Arguments> wrongHeaders() {
    return Stream.of(
        Arguments.of("apiVersion: apiserver.config.k8s.io/v2\nkind: AuthenticationConfiguration\n",
            "apiVersion: Unsupported value: \"apiserver.config.k8s.io/v2\": supported values: "
                + AuthenticationConfiguration.API_VERSIONS),
        Arguments.of("apiVersion: v1\nkind: AuthenticationConfiguration\n",
            "apiVersion: Unsupported value: \"v1\": supported values: " + AuthenticationConfiguration.API_VERSIONS),
        Arguments.of("kind: AuthenticationConfiguration\n",
            "apiVersion: Required value: one of " + AuthenticationConfiguration.API_VERSIONS),
        Arguments.of("apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\n",
            "kind: Unsupported value: \"AuthorizationConfiguration\": supported values: \"AuthenticationConfiguration\""),
        Arguments.of("apiVersion: apiserver.config.k8s.io/v1\n",
            "kind: Required value: AuthenticationConfiguration"));
  }

  @ParameterizedTest
  @MethodSource("wrongHeaders")
  void loadWhenApiVersionOrKindIsWrongThenError(String header, String wantError) throws Exception {
    Path f = write("authn.yaml", header + """
        jwt:
        - issuer: {url: "https://issuer.example", audiences: [my-client]}
          claimMappings: {username: {claim: sub, prefix: ""}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertEquals(List.of(wantError), e.errors().stream().map(FieldError::toString).toList());
  }

  @Test
  void loadWhenSeveralProblemsThenMessageListsEach() throws Exception {
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v2
        kind: AuthenticationConfiguration
        jwt:
        - issuer: {url: "http://issuer.example", audiences: [my-client]}
          claimMappings: {username: {claim: sub, prefix: ""}}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertEquals("""
        invalid configuration (2 errors):
          - apiVersion: Unsupported value: "apiserver.config.k8s.io/v2": supported values: %s
          - jwt[0].issuer.url: Invalid value: "http://issuer.example": URL scheme must be https"""
        .formatted(AuthenticationConfiguration.API_VERSIONS), e.getMessage());
  }

  @Test
  void loadWhenInvalidCertificateAuthorityThenMessageOmitsTheData() throws Exception {
    String marker = "SECRET-LOOKING-MARKER";
    Path f = write("authn.yaml", """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer: {url: "https://issuer.example", audiences: [my-client], certificateAuthority: "%s"}
          claimMappings: {username: {claim: sub, prefix: ""}}
        """.formatted(marker));

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));

    assertTrue(e.getMessage().contains("jwt[0].issuer.certificateAuthority: Invalid value: <omitted>"), e.getMessage());
    assertFalse(e.getMessage().contains(marker), e.getMessage());
  }

  @Test
  void parseWhenOriginGivenThenEmptyErrorNamesIt() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(" \n", "stdin"));

    assertEquals("stdin: the configuration file is empty", e.getMessage());
  }

  // --- select: --authentication-config or the legacy flags, exactly one ---

  private static final LegacyFlags NO_FLAGS = new LegacyFlags(null, null, null, null, null, null, null, null, null);

  @Test
  void selectWhenFileAndLegacyFlagsThenMutuallyExclusiveError() throws Exception {
    Path f = write("authn.yaml", minimalYaml("apiserver.config.k8s.io/v1"));
    LegacyFlags flags = new LegacyFlags(URL, "my-client", null, null, null, null, null, null, null);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.select(f, flags));

    assertEquals("--authentication-config and the --oidc-* flags are mutually exclusive", e.getMessage());
  }

  @Test
  void selectWhenFileAndOnlyAnAuxiliaryLegacyFlagThenMutuallyExclusiveError() throws Exception {
    Path f = write("authn.yaml", minimalYaml("apiserver.config.k8s.io/v1"));
    LegacyFlags flags = new LegacyFlags(null, null, null, null, null, null, null, null, List.of("ES256"));

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.select(f, flags));

    assertEquals("--authentication-config and the --oidc-* flags are mutually exclusive", e.getMessage());
  }

  @Test
  void selectWhenNeitherThenError() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.select(null, NO_FLAGS));

    assertEquals("no issuer configured: give --authentication-config FILE or --oidc-issuer-url with --oidc-client-id",
        e.getMessage());
  }

  @Test
  void selectWhenOnlyFileThenLoadsIt() throws Exception {
    Path f = write("authn.yaml", minimalYaml("apiserver.config.k8s.io/v1"));

    WebhookConfig cfg = ConfigLoader.select(f, NO_FLAGS);

    assertEquals(List.of(MINIMAL), cfg.authenticators());
    assertEquals(f.toString(), cfg.source());
  }

  @Test
  void selectWhenOnlyLegacyFlagsThenBuildsFromThem() throws Exception {
    LegacyFlags flags = new LegacyFlags(URL, "my-client", null, null, null, null, null, null, null);

    WebhookConfig cfg = ConfigLoader.select(null, flags);

    assertEquals(List.of(URL), cfg.authenticators().stream().map(a -> a.issuer().url()).toList());
    assertEquals(List.of("RS256"), cfg.signingAlgorithms());
    assertEquals("--oidc-* flags", cfg.source());
  }
}
