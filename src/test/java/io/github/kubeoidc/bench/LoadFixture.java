package io.github.kubeoidc.bench;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import io.github.kubeoidc.app.RuntimeOptions;
import io.github.kubeoidc.app.Webhook;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.demo.DevCa;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.http.ServerOptions;
import io.github.kubeoidc.keys.KeyStatus;
import io.github.kubeoidc.keys.RemoteKeySource;
import io.github.kubeoidc.testing.Configs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server side of bench/load.sh: a development issuer and the real webhook on loopback HTTP, plus a
 * file of TokenReview bodies (one per line, each with a distinct token) for wrk to cycle through.
 * Arguments: OUT_DIR ALG(RS256|ES256) CACHE_TTL_SECONDS TOKENS [https]. With {@code https} the webhook serves
 * HTTPS (h2 and HTTP/1.1 by ALPN) with a throwaway certificate instead of plain HTTP. Runs until killed.
 */
public final class LoadFixture {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    String alg = args[1];
    Duration ttl = Duration.ofSeconds(Long.parseLong(args[2]));
    int count = Integer.parseInt(args[3]);
    Files.createDirectories(out);
    DevIssuer issuer = DevIssuer.start();
    if (alg.equals("ES256")) {
      JWK ec = issuer.addEcKey(Curve.P_256);
      issuer.signWith(ec);
    }
    Path cfg = Files.writeString(out.resolve("authn.yaml"), """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AuthenticationConfiguration
        jwt:
        - issuer:
            url: %s
            audiences: [kubernetes]
            certificateAuthority: |
        %s  claimMappings:
            username: {claim: email, prefix: ""}
            groups: {claim: groups, prefix: "oidc:"}
        """.formatted(issuer.url(), issuer.caPem().indent(6)));
    ServerOptions server = new ServerOptions("127.0.0.1", 0, null, null, null, 0);
    if (args.length > 4 && args[4].equals("https")) {
      Configs.ServingTls tls = Configs.servingTls(out, new DevCa("load-fixture"), "localhost");
      server = new ServerOptions("127.0.0.1", 0, tls.cert(), tls.key(), null, null);
    }
    Webhook webhook = Webhook.start(ConfigLoader.load(cfg), server,
        new RuntimeOptions(Clock.systemUTC(), RemoteKeySource.DEFAULTS, ttl, true, 65536));
    while (!webhook.wiring().keyStatuses().stream().allMatch(KeyStatus::ready)) {
      Thread.sleep(20);
    }
    List<String> bodies = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Map<String, Object> c = issuer.claims("kubernetes", "user-" + i);
      c.put("exp", System.currentTimeMillis() / 1000 + 4 * 3600);
      c.put("email", "user" + i + "@example.com");
      c.put("email_verified", true);
      c.put("groups", List.of("developers", "ops"));
      bodies.add("{\"apiVersion\":\"authentication.k8s.io/v1beta1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\""
          + issuer.mint(c) + "\"}}");
    }
    Files.write(out.resolve("bodies.txt"), bodies);
    Files.writeString(out.resolve("port"), String.valueOf(webhook.urls().get(0).getPort()));
    System.out.println("ready " + webhook.urls().get(0));
    Thread.currentThread().join();
  }
}
