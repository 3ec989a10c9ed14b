package io.github.kubeoidc.http;

import io.github.kubeoidc.config.FieldError;

/** Values from tokens go into log lines escaped, so no one can forge a line with CR/LF. */
final class LogText {
  private LogText() {
    throw new AssertionError();
  }

  static String escape(String s) {
    String q = quote(s);
    return q.substring(1, q.length() - 1);
  }

  static String quote(String s) {
    return FieldError.quote(s.length() > 256 ? s.substring(0, 256) + "..." : s);
  }
}
