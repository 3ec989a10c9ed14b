package io.github.kubeoidc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.kubeoidc.Main;
import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.keys.KeyStatus;
import io.github.kubeoidc.keys.Signatures;
import io.github.kubeoidc.testing.Await;
import io.github.kubeoidc.testing.Configs;
import io.github.kubeoidc.testing.Http;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands as a script sees them: output and exit status. */
class CommandLineTest {
  @TempDir static Path dir;
  static DevIssuer issuer;
  static Path config;

  @BeforeAll
  static void start() {
    issuer = DevIssuer.start();
    config = Configs.write(dir, "authn.yaml", Configs.file(Configs.jwt(issuer, "k8s")));
  }

  @AfterAll
  static void stop() {
    issuer.close();
  }

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void noCommandIsAUsageError() {
    Run r = run();
    assertEquals(2, r.status());
    assertTrue(r.err().contains("a command is required"), r.err());
  }

  @Test
  void versionAndHelpExitZero() {
    assertEquals(0, run("--version").status());
    Run root = run("--help");
    assertEquals(0, root.status());
    for (String command : List.of("serve", "check", "demo")) {
      assertTrue(root.out().contains("  " + command + "  "), "the root's help lists " + command + ": " + root.out());
    }
    Run help = run("serve", "--help");
    assertEquals(0, help.status());
    assertTrue(help.out().contains("--authentication-config"));
    assertTrue(help.out().contains("--oidc-issuer-url"));
  }

  @Test
  void demoOnceSendsItsTokenOverHttpAndExitsZeroWhenAuthenticated() {
    Run r = run("demo", "--once");
    assertEquals(0, r.status(), r.out() + r.err());
    assertTrue(r.out().matches("(?s)POST http://127\\.0\\.0\\.1:\\d+/authenticate: HTTP 200 .*\"authenticated\":true.*"), r.out());
    assertTrue(r.out().contains("\"username\":\"jane@example.com\""), r.out());
  }

  @Test
  void serveWithoutAnyIssuerExitsTwo() {
    Run r = run("serve", "--http-port", "0");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("no issuer configured"), r.err());
  }

  @Test
  void serveWithoutTlsOrHttpPortRefusesToStart() {
    Run r = run("serve", "--authentication-config", config.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("nothing to serve on"), r.err());
  }

  @Test
  void serveWithConfigFileAndLegacyFlagsIsRejected() {
    Run r = run("serve", "--http-port", "0", "--authentication-config", config.toString(), "--oidc-issuer-url", "https://x");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("mutually exclusive"), r.err());
  }

  @Test
  void serveWithAnInvalidConfigNamesTheFieldAndExitsTwo() {
    Path bad = Configs.write(dir, "bad.yaml", Configs.file(Configs.jwt(issuer, "k8s")).replace("https://", "http://"));
    Run r = run("serve", "--http-port", "0", "--authentication-config", bad.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("jwt[0].issuer.url: Invalid value: \"http://127.0.0.1:"), r.err());
    assertTrue(r.err().contains("URL scheme must be https"), r.err());
  }

  @Test
  void serveWithABadDurationOrMissingTlsKeyExitsTwo() {
    assertEquals(2, run("serve", "--http-port", "0", "--authentication-config", config.toString(), "--cache-ttl", "5x").status());
    Run r = run("serve", "--authentication-config", config.toString(), "--tls-cert-file", config.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("must be given together"), r.err());
    Run unreadable = run("serve", "--authentication-config", config.toString(), "--tls-cert-file", "/nonexistent.crt",
        "--tls-private-key-file", "/nonexistent.key", "--secure-port", "0");
    assertEquals(2, unreadable.status());
    assertTrue(unreadable.err().contains("--tls-cert-file: cannot read /nonexistent.crt"), unreadable.err());
  }

  @Test
  void serveRefusesATinyTokenLimitAndDocumentsTheGuardFlag() {
    Run r = run("serve", "--http-port", "0", "--authentication-config", config.toString(), "--max-token-bytes", "10");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("--max-token-bytes must be at least 1024"), r.err());
    assertTrue(run("serve", "--help").out().contains("--insecure-allow-system-identities"));
  }

  @Test
  void serveRefusesAnUnknownSignatureProviderAndServesOnJava() throws Exception {
    Run r = run("serve", "--http-port", "0", "--authentication-config", config.toString(), "--signature-provider", "fast");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("--signature-provider: unknown value \"fast\"; one of auto, conscrypt, java"), r.err());
    assertTrue(run("serve", "--help").out().contains("--signature-provider"));
    ServeCommand cmd = new ServeCommand();
    try {
      new CommandLine(cmd).parseArgs("--authentication-config", config.toString(), "--http-port", "0",
          "--bind-address", "127.0.0.1", "--signature-provider", "java");
      try (Webhook w = cmd.start()) {
        Await.until("keys", Duration.ofSeconds(20), () -> w.wiring().keyStatuses().stream().allMatch(KeyStatus::ready));
        assertEquals(Signatures.Engine.JAVA, Signatures.engine());
        Http.Response ok = Http.plain().review(w.urls().get(0), "authentication.k8s.io/v1",
            issuer.mint(issuer.claims("k8s", "jane")));
        assertEquals(true, ok.json().at("/status/authenticated").asBoolean(), ok.body());
      }
    } finally {
      Signatures.use(null);
    }
  }

  @Test
  void goDurationsParseLikeKubeFlags() {
    assertEquals(Duration.ofMinutes(2), GoDuration.parse("2m"));
    assertEquals(Duration.ofSeconds(90), GoDuration.parse("90s"));
    assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
    assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
    assertEquals(Duration.ZERO, GoDuration.parse("0"));
  }

  @Test
  void servePrintsListeningOnAndAnswersUntilStopped() throws Exception {
    ServeCommand cmd = new ServeCommand();
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(cmd);
    cl.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() ->
        cl.execute("--authentication-config", config.toString(), "--http-port", "0", "--bind-address", "127.0.0.1"));
    Await.until("listening on", Duration.ofSeconds(20), () -> out.toString().contains("listening on "));
    String line = out.toString().lines().filter(l -> l.startsWith("listening on ")).findFirst().orElseThrow();
    URI base = URI.create(line.substring("listening on ".length()).split(" ")[0]);
    assertEquals(200, Http.plain().get(base.resolve("/healthz")).status());
    cmd.stop.countDown();
    assertEquals(0, status.get(20, TimeUnit.SECONDS));
  }

  @Test
  void checkExplainsAnAuthenticatedTokenAndExitsZero() {
    Map<String, Object> claims = issuer.claims("k8s", "jane");
    String token = issuer.mint(claims);
    Run r = run("check", "--authentication-config", config.toString(), "--token", token);
    assertEquals(0, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("[ok]   signature"), r.out());
    assertTrue(r.out().contains("result: authenticated by " + issuer.url()), r.out());
    assertTrue(r.out().contains("username: jane"), r.out());
    assertTrue(r.out().contains("\"sub\" : \"jane\""), "prints the unverified claims: " + r.out());
    assertFalse(r.out().contains(token.substring(token.lastIndexOf('.') + 1)), "never prints the signature");
  }

  @Test
  void checkExplainsARejectionAndExitsOne() {
    Map<String, Object> claims = issuer.claims("k8s", "jane");
    claims.put("aud", "someone-else");
    Run r = run("check", "--authentication-config", config.toString(), "--token", issuer.mint(claims));
    assertEquals(1, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("[FAIL] audience     oidc: expected audience in [\"k8s\"] got [\"someone-else\"]"), r.out());
    assertTrue(r.out().contains("result: rejected, reason AUDIENCE_MISMATCH"), r.out());
  }

  @Test
  void checkReadsTheTokenFromStdinWithLegacyFlags() throws Exception {
    Path ca = Configs.write(dir, "ca.pem", issuer.caPem());
    CheckCommand cmd = new CheckCommand();
    cmd.stdin = new ByteArrayInputStream((issuer.mint(issuer.claims("k8s", "jane")) + "\n").getBytes(StandardCharsets.UTF_8));
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(cmd);
    cl.setOut(new PrintWriter(out, true));
    int status = cl.execute("--oidc-issuer-url", issuer.url(), "--oidc-client-id", "k8s", "--oidc-ca-file", ca.toString(),
        "--token", "-");
    assertEquals(0, status, out.toString());
    assertTrue(out.toString().contains("username: " + issuer.url() + "#jane"), "legacy default prefix ISSUER#: " + out);
  }

  @Test
  void checkExplainsAFailedCelRuleWithTheClaimValuesItRead() {
    String cfg = Configs.file(Configs.jwt(issuer, "k8s")
        + "  claimValidationRules:\n  - expression: \"claims.hd == 'example.com' && claims.?tier.orValue('') != 'x'\"\n"
        + "    message: wrong domain\n");
    Path file = Configs.write(dir, "cel.yaml", cfg);
    Map<String, Object> claims = issuer.claims("k8s", "jane");
    claims.put("hd", "other.com");
    Run r = run("check", "--authentication-config", file.toString(), "--token", issuer.mint(claims));
    assertEquals(1, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("failed: wrong domain"), r.out());
    assertTrue(r.out().contains("claims.hd = \"other.com\""), r.out());
    assertTrue(r.out().contains("claims.tier = (absent)"), r.out());
    assertTrue(r.out().contains("result: rejected, reason CLAIM_RULE_FAILED"), r.out());
  }

  @Test
  void checkWithABadConfigExitsTwo() {
    Path bad = Configs.write(dir, "empty.yaml", "");
    Run r = run("check", "--authentication-config", bad.toString(), "--token", "x.y.z");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("empty"), r.err());
  }
}
