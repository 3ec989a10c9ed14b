package io.github.kubeoidc.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.kubeoidc.token.AuthResult;
import io.github.kubeoidc.token.UserInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The {@code authentication.k8s.io} {@code TokenReview} wire format, v1 and v1beta1 (identical in shape).
 * Requests are read with Jackson's streaming parser straight from the request buffer (no tree, no copy);
 * answers are written with its generator. Only {@code apiVersion}, {@code kind} and {@code spec.token} are
 * kept; everything else is read (so it must be valid JSON without duplicate names) and dropped.
 */
final class TokenReviewJson {
  static final String V1 = "authentication.k8s.io/v1";
  static final String V1BETA1 = "authentication.k8s.io/v1beta1";
  static final String KIND = "TokenReview";

  /** A TokenReview is flat; deeper JSON is an attack, not a request. */
  private static final int MAX_DEPTH = 16;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** For the other small JSON bodies of this package (readiness). */
  static final ObjectMapper JSON = JsonMapper.builder(FACTORY).build();

  /** What the handler needs from a request. The token is never logged or echoed. */
  record Request(String apiVersion, String token) {
    @Override
    public String toString() {
      return "Request[apiVersion=" + apiVersion + ", token=<omitted>]";
    }
  }

  /** A body that is not a TokenReview: HTTP 400 with this message. */
  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  private TokenReviewJson() {
    throw new AssertionError();
  }

  static Request parse(byte[] body) throws BadRequest {
    return parse(ByteBuffer.wrap(body));
  }

  /** Reads the body between the buffer's position and limit; the buffer itself is left as it was. */
  static Request parse(ByteBuffer body) throws BadRequest {
    if (!body.hasRemaining()) {
      throw new BadRequest("request body is empty; expected a TokenReview");
    }
    Fields f = new Fields();
    try (JsonParser p = parser(body)) {
      JsonToken root = p.nextToken();
      if (root != JsonToken.START_OBJECT) {
        if (root != null) {
          p.skipChildren(); // the whole value must still be valid JSON: that error comes first
        }
        throw new BadRequest("request body is not a JSON object; expected a TokenReview");
      }
      readRoot(p, f);
    } catch (JsonProcessingException e) {
      // Jackson's own message may quote the input, which may hold a token: only the position goes out.
      throw new BadRequest("request body is not valid JSON"
          + (e.getLocation() == null ? "" : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
    } catch (IOException e) {
      throw new BadRequest("request body is not valid JSON");
    }
    if (!(V1.equals(f.apiVersion) || V1BETA1.equals(f.apiVersion))) {
      throw new BadRequest("apiVersion must be " + V1 + " or " + V1BETA1);
    }
    if (!KIND.equals(f.kind)) {
      throw new BadRequest("kind must be " + KIND);
    }
    if (!f.specIsObject) {
      throw new BadRequest("spec must be an object with a token");
    }
    if (f.token == null) {
      throw new BadRequest("spec.token must be a string");
    }
    return new Request(f.apiVersion, f.token);
  }

  /** The members that matter; a member of the wrong JSON type is as good as absent. */
  private static final class Fields {
    String apiVersion;
    String kind;
    boolean specIsObject;
    String token;
  }

  /** Bodies up to this size are copied out of a direct buffer into a per-thread array rather than a new one. */
  private static final int SCRATCH_BYTES = 16 * 1024;

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);

  private static JsonParser parser(ByteBuffer b) throws IOException {
    if (b.hasArray()) {
      return FACTORY.createParser(b.array(), b.arrayOffset() + b.position(), b.remaining());
    }
    // A direct buffer (Jetty's): Jackson reads arrays. The parser is done with the array before parse() returns
    // (it keeps only the strings it made), so one array per thread serves every request.
    int n = b.remaining();
    byte[] copy = n <= SCRATCH_BYTES ? SCRATCH.get() : new byte[n];
    b.duplicate().get(copy, 0, n);
    return FACTORY.createParser(copy, 0, n);
  }

  private static void readRoot(JsonParser p, Fields f) throws IOException {
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken v = p.nextToken();
      switch (name) {
        case "apiVersion" -> f.apiVersion = v == JsonToken.VALUE_STRING ? p.getText() : null;
        case "kind" -> f.kind = v == JsonToken.VALUE_STRING ? p.getText() : null;
        case "spec" -> {
          f.specIsObject = v == JsonToken.START_OBJECT;
          if (f.specIsObject) {
            readSpec(p, f);
            continue;
          }
        }
        default -> { }
      }
      p.skipChildren();
    }
  }

  private static void readSpec(JsonParser p, Fields f) throws IOException {
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken v = p.nextToken();
      if (name.equals("token")) {
        f.token = v == JsonToken.VALUE_STRING ? p.getText() : null;
      }
      p.skipChildren();
    }
  }

  /** The "not mine" answers never change: written once per apiVersion. */
  private static final byte[] NOT_MINE_V1 = notMine(V1);
  private static final byte[] NOT_MINE_V1BETA1 = notMine(V1BETA1);

  private static byte[] notMine(String apiVersion) {
    return ("{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + KIND + "\",\"status\":{\"authenticated\":false}}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The answer, in the request's apiVersion. {@code status.audiences} stays empty: kube-apiserver then
   * checks its own API audiences, as for its built-in JWT authenticator. A "not mine" rejection carries
   * no {@code status.error}, so kube-apiserver may cache it.
   */
  /** The last answer made on this thread: see {@link #answer}. */
  private static final class LastAnswer {
    AuthResult result;
    String apiVersion;
    byte[] json;
  }

  private static final ThreadLocal<LastAnswer> LAST = ThreadLocal.withInitial(LastAnswer::new);

  /**
   * {@link #response}, made once for a run of the same result: when the answer cache hands this thread the very
   * result it answered last (a client repeating its token, the common burst), the bytes are reused. Writing the
   * JSON was a twentieth of such a review's CPU. An answer depends on nothing but the (immutable) result and the
   * apiVersion, and the bytes are only ever read.
   */
  static byte[] answer(String apiVersion, AuthResult result) {
    LastAnswer last = LAST.get();
    if (last.result == result && apiVersion.equals(last.apiVersion)) {
      return last.json;
    }
    byte[] json = response(apiVersion, result);
    last.result = result;
    last.apiVersion = apiVersion;
    last.json = json;
    return json;
  }

  static byte[] response(String apiVersion, AuthResult result) {
    if (result instanceof AuthResult.Rejected r && r.reason().notMine()) {
      return (V1.equals(apiVersion) ? NOT_MINE_V1 : NOT_MINE_V1BETA1).clone();
    }
    ByteArrayBuilder out = new ByteArrayBuilder(512);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("apiVersion", apiVersion);
      g.writeStringField("kind", KIND);
      g.writeObjectFieldStart("status");
      if (result instanceof AuthResult.Authenticated a) {
        g.writeBooleanField("authenticated", true);
        writeUser(g, a.user());
      } else {
        g.writeBooleanField("authenticated", false);
        g.writeStringField("error", ((AuthResult.Rejected) result).detail());
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write TokenReview", e); // a ByteArrayBuilder does not fail
    }
    return out.toByteArray();
  }

  static byte[] error(String message) {
    ByteArrayBuilder out = new ByteArrayBuilder(128);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("error", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static void writeUser(JsonGenerator g, UserInfo u) throws IOException {
    g.writeObjectFieldStart("user");
    g.writeStringField("username", u.username());
    if (!u.uid().isEmpty()) {
      g.writeStringField("uid", u.uid());
    }
    if (!u.groups().isEmpty()) {
      g.writeArrayFieldStart("groups");
      for (String group : u.groups()) {
        g.writeString(group);
      }
      g.writeEndArray();
    }
    if (!u.extra().isEmpty()) {
      g.writeObjectFieldStart("extra");
      for (Map.Entry<String, List<String>> e : u.extra().entrySet()) {
        g.writeArrayFieldStart(e.getKey());
        for (String value : e.getValue()) {
          g.writeString(value);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }
}
