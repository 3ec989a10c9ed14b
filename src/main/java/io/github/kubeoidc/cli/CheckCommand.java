package io.github.kubeoidc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.kubeoidc.app.Wiring;
import io.github.kubeoidc.config.ConfigException;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.config.WebhookConfig;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.UserInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code check}: runs one token through the same pipeline {@code serve} uses and prints every step,
 * because kube-apiserver only logs "invalid bearer token". Exit 0 authenticated, 1 rejected, 2 error.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Explain one token against a configuration, step by step, without starting a server.")
public final class CheckCommand implements Callable<Integer> {
  /** Made when check runs, not when the command line is built: every command's class is initialised then. */
  private static final class Pretty {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  @Spec CommandSpec spec;

  @Option(names = "--authentication-config", paramLabel = "FILE", description = "A Kubernetes AuthenticationConfiguration.")
  Path authenticationConfig;

  @Mixin LegacyOidcFlags legacy;

  @Option(names = "--token", paramLabel = "TOKEN", required = true, description = "The ID token, or - to read it from stdin.")
  String token;

  InputStream stdin = System.in;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String raw = "-".equals(token) ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8).strip() : token;
    WebhookConfig cfg;
    try {
      cfg = ConfigLoader.select(authenticationConfig, legacy.toLegacyFlags());
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Exit.CONFIG;
    }
    printUnverified(raw, out);
    try (Wiring wiring = Wiring.build(cfg, Clock.systemUTC(), RemoteKeySource.DEFAULTS)) {
      wiring.loadKeysNow();
      AuthResult result = wiring.router().authenticate(raw, (step, passed, detail) ->
          out.printf("%-6s %-12s %s%n", passed ? "[ok]" : "[FAIL]", step, detail));
      out.println();
      if (result instanceof AuthResult.Authenticated a) {
        UserInfo u = a.user();
        out.println("result: authenticated by " + a.issuer());
        out.println("  username: " + u.username());
        out.println("  uid:      " + u.uid());
        out.println("  groups:   " + u.groups());
        out.println("  extra:    " + u.extra());
        out.flush();
        return Exit.OK;
      }
      AuthResult.Rejected r = (AuthResult.Rejected) result;
      out.println("result: rejected, reason " + r.reason()
          + (r.reason().notMine() ? " (not for this webhook: kube-apiserver would try its other authenticators)" : ""));
      if (!r.detail().isEmpty()) {
        out.println("  status.error: " + r.detail());
      }
      out.flush();
      return Exit.REJECTED;
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Exit.CONFIG;
    }
  }

  /** The header and claims as the token states them, before any check; never the signature. */
  private static void printUnverified(String raw, PrintWriter out) {
    String[] parts = raw.split("\\.", -1);
    out.println("header (unverified): " + decode(parts, 0));
    out.println("claims (unverified): " + decode(parts, 1));
    out.println();
  }

  private static String decode(String[] parts, int i) {
    if (parts.length != 3) {
      return "(not a compact JWT: " + parts.length + " part(s), expected 3)";
    }
    try {
      JsonNode n = Pretty.JSON.readTree(Base64.getUrlDecoder().decode(parts[i]));
      return Pretty.JSON.writeValueAsString(n);
    } catch (IllegalArgumentException | IOException e) {
      return "(not base64url-encoded JSON)";
    }
  }
}
