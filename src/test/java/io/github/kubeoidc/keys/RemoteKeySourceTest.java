package io.github.kubeoidc.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import io.github.kubeoidc.demo.DevIssuer;
import io.github.kubeoidc.tls.Pem;
import io.github.kubeoidc.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery, JWKS, rotation and outages against a real HTTPS issuer; time is driven by hand. */
class RemoteKeySourceTest {
  static final RemoteKeySource.Settings SETTINGS = new RemoteKeySource.Settings(Duration.ofHours(1), Duration.ofHours(1),
      Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(5));

  DevIssuer issuer;
  MutableClock clock;
  ScheduledExecutorService scheduler;
  RemoteKeySource keys;

  @BeforeEach
  void setUp() {
    issuer = DevIssuer.start();
    clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    scheduler = Executors.newSingleThreadScheduledExecutor();
    IssuerHttp http = new IssuerHttp(Pem.clientContext(List.of(issuer.ca().certificate())), Duration.ofSeconds(5), 1 << 20);
    keys = new RemoteKeySource(issuer.url(), null, http, clock, scheduler, SETTINGS);
  }

  @AfterEach
  void tearDown() {
    keys.close();
    scheduler.shutdownNow();
    issuer.close();
  }

  static List<String> kids(RemoteKeySource k) {
    return k.current().orElseThrow().keys().stream().map(JWK::getKeyID).toList();
  }

  @Test
  void loadNowFetchesDiscoveryThenTheJwks() {
    assertFalse(keys.status().ready());
    assertTrue(keys.loadNow());
    assertEquals(List.of(issuer.signingKey().getKeyID()), kids(keys));
    assertEquals(1, issuer.discoveryFetches());
    assertEquals(1, issuer.jwksFetches());
    assertFalse(keys.current().get().keys().get(0).isPrivate(), "only public parts are kept");
  }

  @Test
  void unknownKidRefetchesOnceThenIsRateLimited() {
    keys.loadNow();
    RSAKey rotated = issuer.addRsaKey();
    clock.advance(Duration.ofSeconds(6));
    assertTrue(keys.refreshOnUnknownKid(rotated.getKeyID()).get().withKid(rotated.getKeyID()).size() == 1);
    assertEquals(2, issuer.jwksFetches());
    // A flood of bogus kids within the interval does not reach the issuer.
    for (int i = 0; i < 50; i++) {
      keys.refreshOnUnknownKid("bogus-" + i);
    }
    assertEquals(2, issuer.jwksFetches());
    clock.advance(Duration.ofSeconds(5));
    keys.refreshOnUnknownKid("bogus-again");
    assertEquals(3, issuer.jwksFetches());
  }

  @Test
  void concurrentUnknownKidsShareOneFetch() throws Exception {
    keys.loadNow();
    RSAKey rotated = issuer.addRsaKey();
    clock.advance(Duration.ofSeconds(10));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      results.add(pool.submit(() -> {
        go.await();
        return keys.refreshOnUnknownKid(rotated.getKeyID()).get().withKid(rotated.getKeyID()).size() == 1;
      }));
    }
    go.countDown();
    for (Future<Boolean> f : results) {
      assertTrue(f.get(10, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertEquals(2, issuer.jwksFetches(), "one initial fetch and one shared refetch");
  }

  @Test
  void lastGoodKeysSurviveAnOutage() {
    keys.loadNow();
    List<String> before = kids(keys);
    issuer.stop();
    clock.advance(Duration.ofSeconds(10));
    keys.refreshOnUnknownKid("new-kid");
    assertEquals(before, kids(keys));
    KeyStatus s = keys.status();
    assertTrue(s.ready());
    assertEquals(1, s.failures());
    assertTrue(s.lastError().contains("connection refused"), s.lastError());
  }

  @Test
  void aKeyTheIssuerDropsStopsBeingAcceptedAfterTheNextRefresh() {
    JWK old = issuer.signingKey();
    keys.loadNow();
    RSAKey next = issuer.addRsaKey();
    issuer.signWith(next);
    issuer.unpublish(old);
    clock.advance(Duration.ofSeconds(10));
    keys.refreshOnUnknownKid(next.getKeyID());
    assertEquals(List.of(next.getKeyID()), kids(keys));
  }

  @Test
  void onKeysChangedFiresOnlyWhenTheSetDiffers() {
    java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
    keys.onKeysChanged(changes::incrementAndGet);
    keys.loadNow();
    clock.advance(Duration.ofSeconds(10));
    keys.refreshOnUnknownKid("same-set");
    assertEquals(0, changes.get(), "the first load and an identical refetch are not changes");
    issuer.addRsaKey();
    clock.advance(Duration.ofSeconds(10));
    keys.refreshOnUnknownKid("new");
    assertEquals(1, changes.get());
  }

  @Test
  void cacheControlMaxAgeSetsTheRefreshIntervalWithinBounds() {
    assertEquals(Duration.ofMinutes(10), keys.lifetime("public, max-age=600, must-revalidate"));
    assertEquals(Duration.ofMinutes(1), keys.lifetime("max-age=0"));
    assertEquals(Duration.ofHours(1), keys.lifetime("max-age=999999"));
    assertEquals(Duration.ofMinutes(5), keys.lifetime(null));
    assertEquals(Duration.ofMinutes(5), keys.lifetime("no-store"));
  }
}
