package io.github.kubeoidc.keys;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * HTTPS GETs to one issuer: its own CA bundle, bounded time and body size, no redirects (a redirect could
 * lead off TLS or off the issuer).
 */
public final class IssuerHttp {
  /** As kube-apiserver: 30 s for a discovery or JWKS request. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** JWKS and discovery documents are a few KB; this bounds what a broken issuer can make us read. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  private final Supplier<SSLContext> tls;
  private final Duration timeout;
  private final int maxBodyBytes;
  private volatile HttpClient client;

  public IssuerHttp(SSLContext tls, Duration timeout, int maxBodyBytes) {
    this(() -> tls, timeout, maxBodyBytes);
  }

  /**
   * The TLS context and the HTTP client are made on the first request, in the thread that fetches keys: setting
   * up TLS (the system trust store, the JSSE provider) is a tenth of the start-up time, and nothing needs it
   * before the server listens.
   */
  public IssuerHttp(Supplier<SSLContext> tls, Duration timeout, int maxBodyBytes) {
    this.tls = tls;
    this.timeout = timeout;
    this.maxBodyBytes = maxBodyBytes;
  }

  private HttpClient client() throws IOException {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          SSLContext ctx;
          try {
            ctx = tls.get();
          } catch (RuntimeException e) {
            throw new IOException("cannot set up TLS for the issuer: " + e.getMessage(), e);
          }
          c = HttpClient.newBuilder()
              .sslContext(ctx)
              .connectTimeout(timeout)
              .followRedirects(HttpClient.Redirect.NEVER)
              .version(HttpClient.Version.HTTP_1_1)
              .build();
          client = c;
        }
      }
    }
    return c;
  }

  /** A response whose status has already been checked to be 2xx. */
  public record Response(String body, Optional<String> cacheControl) {}

  /** GETs {@code uri}; non-2xx, oversize bodies and I/O problems are errors naming the URL. */
  public Response get(URI uri) throws IOException {
    return get(uri, null);
  }

  /** GETs {@code uri} with {@code Authorization: Bearer} when {@code bearer} is not null or empty. */
  public Response get(URI uri, String bearer) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
    if (bearer != null && !bearer.isEmpty()) {
      b.header("Authorization", "Bearer " + bearer);
    }
    HttpRequest req = b.build();
    HttpResponse<InputStream> resp;
    try {
      resp = client().send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted fetching " + uri);
    } catch (IOException e) {
      throw new IOException("fetching " + uri + ": " + describe(e), e);
    }
    try (InputStream in = resp.body()) {
      byte[] body = in.readNBytes(maxBodyBytes + 1);
      if (body.length > maxBodyBytes) {
        throw new IOException("fetching " + uri + ": response larger than " + maxBodyBytes + " bytes");
      }
      String text = new String(body, StandardCharsets.UTF_8);
      if (resp.statusCode() / 100 != 2) {
        String detail = abbreviate(text);
        throw new IOException("fetching " + uri + ": HTTP " + resp.statusCode() + (detail.isEmpty() ? "" : ": " + detail));
      }
      return new Response(text, resp.headers().firstValue("Cache-Control"));
    }
  }

  /** The first message in the cause chain: the JDK's HttpClient often wraps an empty ConnectException. */
  private static String describe(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isEmpty()) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName();
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("[\\r\\n\\t]+", " ").strip();
    return one.length() > 200 ? one.substring(0, 200) + "..." : one;
  }
}
