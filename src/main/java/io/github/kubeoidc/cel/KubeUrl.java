package io.github.kubeoidc.cel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed URL, the runtime value of the CEL type {@code kubernetes.URL} (Kubernetes'
 * {@code url(<string>)}).
 *
 * <p>Kubernetes accepts a string when Go's {@code url.ParseRequestURI} does (an absolute URI or an
 * absolute path) and then keeps what {@code url.Parse} makes of it (so a {@code #fragment} is split
 * off). Both are reproduced here, with Go's rules: the scheme is lower-cased, a port must be digits,
 * a host may only percent-encode non-ASCII bytes, control characters are refused, the path is kept
 * unescaped and re-escaped on {@link #escapedPath()}. Two URLs are equal when their Go {@code String()}
 * forms are, as in Kubernetes.
 */
public final class KubeUrl {

  private final String scheme;
  private final String opaque;
  private final String username; // null when there is no userinfo
  private final String password; // null when there is no password
  private final String host;
  private final String path;
  private final String rawPath;
  private final boolean forceQuery;
  private final String rawQuery;
  private final String fragment;
  private final boolean omitHost;

  private KubeUrl(Builder b) {
    this.scheme = b.scheme;
    this.opaque = b.opaque;
    this.username = b.username;
    this.password = b.password;
    this.host = b.host;
    this.path = b.path;
    this.rawPath = b.rawPath;
    this.forceQuery = b.forceQuery;
    this.rawQuery = b.rawQuery;
    this.fragment = b.fragment;
    this.omitHost = b.omitHost;
  }

  /** A URL parse failure; the message is what Go's {@code *url.Error} prints. */
  static final class UrlException extends Exception {
    private static final long serialVersionUID = 1L;

    UrlException(String message) {
      super(message);
    }
  }

  /**
   * Parses as Kubernetes' {@code url()} does.
   *
   * @throws IllegalArgumentException with Kubernetes' message when the string is not accepted
   */
  public static KubeUrl parse(String s) {
    try {
      parseRequestUri(s);
      return goParse(s);
    } catch (UrlException e) {
      throw new IllegalArgumentException("URL parse error during conversion from string: " + e.getMessage());
    }
  }

  /** Whether Kubernetes' {@code isURL} accepts the string (Go's {@code url.ParseRequestURI}). */
  public static boolean isValid(String s) {
    try {
      parseRequestUri(s);
      return true;
    } catch (UrlException e) {
      return false;
    }
  }

  public String scheme() {
    return scheme;
  }

  /** The host with the port, IPv6 literals in brackets; "" when absent. */
  public String host() {
    return host;
  }

  /** The host without port and without IPv6 brackets; "" when absent. */
  public String hostname() {
    return splitHostPort(host)[0];
  }

  /** The port; "" when absent. */
  public String port() {
    return splitHostPort(host)[1];
  }

  /** The unescaped path. */
  public String path() {
    return path;
  }

  /** The path, percent-escaped (Go's {@code URL.EscapedPath}); "" when absent. */
  public String escapedPath() {
    if (!rawPath.isEmpty() && validEncoded(rawPath, Mode.PATH)) {
      try {
        if (unescape(rawPath, Mode.PATH).equals(path)) {
          return rawPath;
        }
      } catch (UrlException ignored) {
        // fall through to escaping the path
      }
    }
    if (path.equals("*")) {
      return "*";
    }
    return escape(path, Mode.PATH);
  }

  /** The raw (still encoded) query, without the {@code ?}. */
  public String rawQuery() {
    return rawQuery;
  }

  /**
   * The query parameters, unescaped, each key with all its values in order (Go's {@code URL.Query},
   * which skips malformed pairs).
   */
  public Map<String, List<String>> query() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String q = rawQuery;
    while (!q.isEmpty()) {
      String key;
      int amp = q.indexOf('&');
      if (amp >= 0) {
        key = q.substring(0, amp);
        q = q.substring(amp + 1);
      } else {
        key = q;
        q = "";
      }
      if (key.contains(";") || key.isEmpty()) {
        continue;
      }
      String value = "";
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      }
      try {
        key = unescape(key, Mode.QUERY_COMPONENT);
        value = unescape(value, Mode.QUERY_COMPONENT);
      } catch (UrlException e) {
        continue;
      }
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    Map<String, List<String>> frozen = new LinkedHashMap<>();
    out.forEach((k, v) -> frozen.put(k, Collections.unmodifiableList(v)));
    return Collections.unmodifiableMap(frozen);
  }

  /** The unescaped fragment; "" when absent. */
  public String fragment() {
    return fragment;
  }

  /** Go's {@code URL.String()}. */
  @Override
  public String toString() {
    StringBuilder buf = new StringBuilder();
    if (!scheme.isEmpty()) {
      buf.append(scheme).append(':');
    }
    if (!opaque.isEmpty()) {
      buf.append(opaque);
    } else {
      if (!scheme.isEmpty() || !host.isEmpty() || username != null) {
        if (!(omitHost && host.isEmpty() && username == null)) {
          if (!host.isEmpty() || !path.isEmpty() || username != null) {
            buf.append("//");
          }
          if (username != null) {
            buf.append(escape(username, Mode.USER_PASSWORD));
            if (password != null) {
              buf.append(':').append(escape(password, Mode.USER_PASSWORD));
            }
            buf.append('@');
          }
          if (!host.isEmpty()) {
            buf.append(escape(host, Mode.HOST));
          }
        }
      }
      String p = escapedPath();
      if (!p.isEmpty() && p.charAt(0) != '/' && !host.isEmpty()) {
        buf.append('/');
      }
      if (buf.length() == 0) {
        int slash = p.indexOf('/');
        String segment = slash >= 0 ? p.substring(0, slash) : p;
        if (segment.contains(":")) {
          buf.append("./");
        }
      }
      buf.append(p);
    }
    if (forceQuery || !rawQuery.isEmpty()) {
      buf.append('?').append(rawQuery);
    }
    if (!fragment.isEmpty()) {
      buf.append('#').append(escape(fragment, Mode.FRAGMENT));
    }
    return buf.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KubeUrl && toString().equals(o.toString());
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(toString());
  }

  // ---- Go net/url parsing ----

  private enum Mode {
    PATH,
    PATH_SEGMENT,
    HOST,
    ZONE,
    USER_PASSWORD,
    QUERY_COMPONENT,
    FRAGMENT
  }

  private static final class Builder {
    String scheme = "";
    String opaque = "";
    String username;
    String password;
    String host = "";
    String path = "";
    String rawPath = "";
    boolean forceQuery;
    String rawQuery = "";
    String fragment = "";
    boolean omitHost;
  }

  private static UrlException urlError(String url, String err) {
    return new UrlException("parse " + GoText.quote(url) + ": " + err);
  }

  /** Go's {@code url.ParseRequestURI}. */
  static KubeUrl parseRequestUri(String raw) throws UrlException {
    try {
      return new KubeUrl(parse(raw, true));
    } catch (UrlException e) {
      throw urlError(raw, e.getMessage());
    }
  }

  /** Go's {@code url.Parse}. */
  static KubeUrl goParse(String raw) throws UrlException {
    int hash = raw.indexOf('#');
    String u = hash >= 0 ? raw.substring(0, hash) : raw;
    String frag = hash >= 0 ? raw.substring(hash + 1) : "";
    Builder b;
    try {
      b = parse(u, false);
    } catch (UrlException e) {
      throw urlError(u, e.getMessage());
    }
    if (!frag.isEmpty()) {
      try {
        b.fragment = unescape(frag, Mode.FRAGMENT);
      } catch (UrlException e) {
        throw urlError(raw, e.getMessage());
      }
    }
    return new KubeUrl(b);
  }

  private static Builder parse(String raw, boolean viaRequest) throws UrlException {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new UrlException("net/url: invalid control character in URL");
      }
    }
    if (raw.isEmpty() && viaRequest) {
      throw new UrlException("empty url");
    }
    Builder url = new Builder();
    if (raw.equals("*")) {
      url.path = "*";
      return url;
    }
    String[] schemeRest = getScheme(raw);
    url.scheme = schemeRest[0].toLowerCase(java.util.Locale.ROOT);
    String rest = schemeRest[1];

    if (rest.endsWith("?") && rest.indexOf('?') == rest.length() - 1) {
      url.forceQuery = true;
      rest = rest.substring(0, rest.length() - 1);
    } else {
      int q = rest.indexOf('?');
      if (q >= 0) {
        url.rawQuery = rest.substring(q + 1);
        rest = rest.substring(0, q);
      }
    }

    if (!rest.startsWith("/")) {
      if (!url.scheme.isEmpty()) {
        url.opaque = rest;
        return url;
      }
      if (viaRequest) {
        throw new UrlException("invalid URI for request");
      }
      int slash = rest.indexOf('/');
      String segment = slash >= 0 ? rest.substring(0, slash) : rest;
      if (segment.contains(":")) {
        throw new UrlException("first path segment in URL cannot contain colon");
      }
    }

    if ((!url.scheme.isEmpty() || !viaRequest && !rest.startsWith("///")) && rest.startsWith("//")) {
      String authority = rest.substring(2);
      rest = "";
      int slash = authority.indexOf('/');
      if (slash >= 0) {
        rest = authority.substring(slash);
        authority = authority.substring(0, slash);
      }
      parseAuthority(authority, url);
    } else if (!url.scheme.isEmpty() && rest.startsWith("/")) {
      url.omitHost = true;
    }

    url.path = unescape(rest, Mode.PATH);
    url.rawPath = rest.equals(escape(url.path, Mode.PATH)) ? "" : rest;
    return url;
  }

  private static String[] getScheme(String raw) throws UrlException {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        continue;
      }
      if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
        if (i == 0) {
          return new String[] {"", raw};
        }
        continue;
      }
      if (c == ':') {
        if (i == 0) {
          throw new UrlException("missing protocol scheme");
        }
        return new String[] {raw.substring(0, i), raw.substring(i + 1)};
      }
      return new String[] {"", raw};
    }
    return new String[] {"", raw};
  }

  private static void parseAuthority(String authority, Builder url) throws UrlException {
    int at = authority.lastIndexOf('@');
    url.host = parseHost(at < 0 ? authority : authority.substring(at + 1));
    if (at < 0) {
      return;
    }
    String userinfo = authority.substring(0, at);
    if (!validUserinfo(userinfo)) {
      throw new UrlException("net/url: invalid userinfo");
    }
    int colon = userinfo.indexOf(':');
    if (colon < 0) {
      url.username = unescape(userinfo, Mode.USER_PASSWORD);
    } else {
      url.username = unescape(userinfo.substring(0, colon), Mode.USER_PASSWORD);
      url.password = unescape(userinfo.substring(colon + 1), Mode.USER_PASSWORD);
    }
  }

  private static boolean validUserinfo(String s) {
    for (int i = 0; i < s.length(); i++) {
      char r = s.charAt(i);
      if ((r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
        continue;
      }
      switch (r) {
        case '-':
        case '.':
        case '_':
        case ':':
        case '~':
        case '!':
        case '$':
        case '&':
        case '\'':
        case '(':
        case ')':
        case '*':
        case '+':
        case ',':
        case ';':
        case '=':
        case '%':
        case '@':
          continue;
        default:
          return false;
      }
    }
    return true;
  }

  private static String parseHost(String host) throws UrlException {
    if (host.startsWith("[")) {
      int close = host.lastIndexOf(']');
      if (close < 0) {
        throw new UrlException("missing ']' in host");
      }
      String colonPort = host.substring(close + 1);
      if (!validOptionalPort(colonPort)) {
        throw new UrlException("invalid port " + GoText.quote(colonPort) + " after host");
      }
      int zone = host.substring(0, close).indexOf("%25");
      if (zone >= 0) {
        String host1 = unescape(host.substring(0, zone), Mode.HOST);
        String host2 = unescape(host.substring(zone, close), Mode.ZONE);
        String host3 = unescape(host.substring(close), Mode.HOST);
        return host1 + host2 + host3;
      }
    } else {
      int colon = host.lastIndexOf(':');
      if (colon != -1) {
        String colonPort = host.substring(colon);
        if (!validOptionalPort(colonPort)) {
          throw new UrlException("invalid port " + GoText.quote(colonPort) + " after host");
        }
      }
    }
    return unescape(host, Mode.HOST);
  }

  private static boolean validOptionalPort(String port) {
    if (port.isEmpty()) {
      return true;
    }
    if (port.charAt(0) != ':') {
      return false;
    }
    for (int i = 1; i < port.length(); i++) {
      char c = port.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String[] splitHostPort(String hostPort) {
    String host = hostPort;
    String port = "";
    int colon = host.lastIndexOf(':');
    if (colon != -1 && validOptionalPort(host.substring(colon))) {
      port = host.substring(colon + 1);
      host = host.substring(0, colon);
    }
    if (host.startsWith("[") && host.endsWith("]") && host.length() >= 2) {
      host = host.substring(1, host.length() - 1);
    }
    return new String[] {host, port};
  }

  private static boolean isHex(byte c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static int unhex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c - 'A' + 10;
  }

  private static String escapeErrorText(byte[] s, int from, int len) {
    int end = Math.min(s.length, from + len);
    return new String(s, from, end - from, StandardCharsets.UTF_8);
  }

  /** Go's {@code url.unescape}. */
  private static String unescape(String str, Mode mode) throws UrlException {
    byte[] s = str.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < s.length; ) {
      byte c = s[i];
      if (c == '%') {
        if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) {
          throw new UrlException("invalid URL escape " + GoText.quote(escapeErrorText(s, i, 3)));
        }
        String triple = escapeErrorText(s, i, 3);
        if (mode == Mode.HOST && unhex(s[i + 1]) < 8 && !triple.equals("%25")) {
          throw new UrlException("invalid URL escape " + GoText.quote(triple));
        }
        if (mode == Mode.ZONE) {
          int v = unhex(s[i + 1]) << 4 | unhex(s[i + 2]);
          if (!triple.equals("%25") && v != ' ' && shouldEscape(v, Mode.HOST)) {
            throw new UrlException("invalid URL escape " + GoText.quote(triple));
          }
        }
        i += 3;
      } else {
        int u = c & 0xff;
        if ((mode == Mode.HOST || mode == Mode.ZONE) && u < 0x80 && shouldEscape(u, mode)) {
          throw new UrlException(
              "invalid character " + GoText.quote(String.valueOf((char) u)) + " in host name");
        }
        i++;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length);
    for (int i = 0; i < s.length; ) {
      byte c = s[i];
      if (c == '%') {
        out.write(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
        i += 3;
      } else if (c == '+' && mode == Mode.QUERY_COMPONENT) {
        out.write(' ');
        i++;
      } else {
        out.write(c);
        i++;
      }
    }
    return GoText.utf8(out.toByteArray());
  }

  /** Go's {@code url.shouldEscape} for one byte. */
  private static boolean shouldEscape(int c, Mode mode) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return false;
    }
    if (mode == Mode.HOST || mode == Mode.ZONE) {
      switch (c) {
        case '!':
        case '$':
        case '&':
        case '\'':
        case '(':
        case ')':
        case '*':
        case '+':
        case ',':
        case ';':
        case '=':
        case ':':
        case '[':
        case ']':
        case '<':
        case '>':
        case '"':
          return false;
        default:
          break;
      }
    }
    switch (c) {
      case '-':
      case '_':
      case '.':
      case '~':
        return false;
      case '$':
      case '&':
      case '+':
      case ',':
      case '/':
      case ':':
      case ';':
      case '=':
      case '?':
      case '@':
        switch (mode) {
          case PATH:
            return c == '?';
          case PATH_SEGMENT:
            return c == '/' || c == ';' || c == ',' || c == '?';
          case USER_PASSWORD:
            return c == '@' || c == '/' || c == '?' || c == ':';
          case QUERY_COMPONENT:
            return true;
          case FRAGMENT:
            return false;
          default:
            break;
        }
        break;
      default:
        break;
    }
    if (mode == Mode.FRAGMENT) {
      switch (c) {
        case '!':
        case '(':
        case ')':
        case '*':
          return false;
        default:
          break;
      }
    }
    return true;
  }

  /** Go's {@code url.escape}. */
  private static String escape(String str, Mode mode) {
    byte[] s = str.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(s.length);
    for (byte b : s) {
      int c = b & 0xff;
      if (shouldEscape(c, mode)) {
        if (c == ' ' && mode == Mode.QUERY_COMPONENT) {
          out.append('+');
        } else {
          out.append('%').append("0123456789ABCDEF".charAt(c >> 4)).append("0123456789ABCDEF".charAt(c & 15));
        }
      } else {
        out.append((char) c);
      }
    }
    return out.toString();
  }

  /** Go's {@code url.validEncoded}. */
  private static boolean validEncoded(String str, Mode mode) {
    byte[] s = str.getBytes(StandardCharsets.UTF_8);
    for (byte b : s) {
      int c = b & 0xff;
      switch (c) {
        case '!':
        case '$':
        case '&':
        case '\'':
        case '(':
        case ')':
        case '*':
        case '+':
        case ',':
        case ';':
        case '=':
        case ':':
        case '@':
        case '[':
        case ']':
        case '%':
          continue;
        default:
          if (shouldEscape(c, mode)) {
            return false;
          }
      }
    }
    return true;
  }
}
