package io.github.kubeoidc.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.config.WebhookConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The examples shipped in config/ load and validate, so the README never points at a broken file. */
class ConfigExamplesTest {
  @Test
  void dexYamlExampleLoads() throws Exception {
    WebhookConfig cfg = ConfigLoader.load(Path.of("config/authentication-config.yaml"));
    assertEquals("https://dex.example.com:32000", cfg.authenticators().get(0).issuer().url());
    assertEquals(9, cfg.signingAlgorithms().size());
  }

  @Test
  void jsonV1beta1ExampleLoadsWithTwoIssuers() throws Exception {
    WebhookConfig cfg = ConfigLoader.load(Path.of("config/authentication-config-v1beta1.json"));
    assertEquals(2, cfg.authenticators().size());
    try (Wiring w = Wiring.build(cfg, Clock.systemUTC(), io.github.kubeoidc.keys.RemoteKeySource.DEFAULTS)) {
      assertEquals(2, w.router().authenticators().size());
    }
  }

  @Test
  void legacyArgsFileParses() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("config/legacy-flags.args"));
    io.github.kubeoidc.cli.LegacyOidcFlags flags = new io.github.kubeoidc.cli.LegacyOidcFlags();
    new CommandLine(new Object() {
      @CommandLine.Mixin io.github.kubeoidc.cli.LegacyOidcFlags mixin = flags;
    }).parseArgs(lines.toArray(new String[0]));
    io.github.kubeoidc.config.LegacyFlags legacy = flags.toLegacyFlags();
    assertEquals("https://dex.example.com:32000", legacy.issuerUrl());
    assertEquals("oidc:", legacy.groupsPrefix());
    assertEquals(List.of("RS256"), legacy.signingAlgs());
  }
}
