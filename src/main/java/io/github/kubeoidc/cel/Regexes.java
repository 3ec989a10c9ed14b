package io.github.kubeoidc.cel;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' regex library ({@code find}, {@code findAll}) on RE2J, with the match semantics of Go's
 * {@code regexp.FindString} / {@code FindAllString}: leftmost-first matches, and in {@code findAll} an
 * empty match right after the previous match is skipped.
 */
final class Regexes {

  private Regexes() {}

  private static final int CACHE_SIZE = 256;

  private static final Map<String, Pattern> CACHE =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pattern> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  /** Compiles a pattern as Go's {@code regexp.Compile} would (RE2 syntax, Perl classes). */
  static Pattern compile(String regex) throws PatternSyntaxException {
    synchronized (CACHE) {
      Pattern p = CACHE.get(regex);
      if (p != null) {
        return p;
      }
    }
    Pattern p = Pattern.compile(regex);
    synchronized (CACHE) {
      CACHE.put(regex, p);
    }
    return p;
  }

  /** The text of a pattern error, as Go prints it ({@code error parsing regexp: ...}). */
  static String describe(PatternSyntaxException e) {
    return e.getMessage();
  }

  private static Pattern compileOrError(String regex) throws CelEvaluationException {
    try {
      return compile(regex);
    } catch (PatternSyntaxException e) {
      throw CelValues.error("Illegal regex: %s", describe(e));
    }
  }

  /** {@code <string>.find(<regex>)}: the first match, or "" when none. */
  static String find(String str, String regex) throws CelEvaluationException {
    Matcher m = compileOrError(regex).matcher(str);
    return m.find() ? m.group() : "";
  }

  /** {@code <string>.findAll(<regex>[, <limit>])}: successive matches; a negative limit means all. */
  static List<String> findAll(String str, String regex, long limit) throws CelEvaluationException {
    Matcher m = compileOrError(regex).matcher(str);
    long n = limit < 0 ? (long) str.length() + 1 : limit;
    List<String> out = new ArrayList<>();
    int pos = 0;
    int prevMatchEnd = -1;
    int end = str.length();
    while (out.size() < n && pos <= end) {
      if (!m.find(pos)) {
        break;
      }
      boolean accept = true;
      if (m.end() == pos) {
        // An empty match: not allowed right after the previous match; move on by one code point.
        if (m.start() == prevMatchEnd) {
          accept = false;
        }
        pos = pos < end ? pos + Character.charCount(str.codePointAt(pos)) : end + 1;
      } else {
        pos = m.end();
      }
      prevMatchEnd = m.end();
      if (accept) {
        out.add(str.substring(m.start(), m.end()));
      }
    }
    return out;
  }
}
