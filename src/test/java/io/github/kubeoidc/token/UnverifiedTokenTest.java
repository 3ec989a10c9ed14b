package io.github.kubeoidc.token;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The compact-JWS shape check, against a plain reference written for readability rather than speed. */
class UnverifiedTokenTest {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  /** Reference: every character in the alphabet, and the segment decodes and re-encodes to itself. */
  private static boolean canonical(String segment) {
    for (char c : segment.toCharArray()) {
      if (ALPHABET.indexOf(c) < 0) {
        return false;
      }
    }
    if (segment.length() % 4 == 1) {
      return false;
    }
    byte[] bytes = Base64.getUrlDecoder().decode(segment);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(segment);
  }

  private static boolean reference(String raw) {
    String[] parts = raw.split("\\.", -1);
    return parts.length == 3 && !parts[0].isEmpty() && canonical(parts[0]) && canonical(parts[1]) && canonical(parts[2]);
  }

  @Test
  void everyCharacterInEveryPartAgreesWithTheReference() {
    for (int c = 0; c <= 0xFFFF; c++) {
      char ch = (char) c;
      for (String raw : new String[] {
          "eyJ" + ch + ".eyJh.c2ln", "eyJh.ey" + ch + "h.c2ln", "eyJh.eyJh.c2l" + ch, ch + "yJh.eyJh.c2ln",
          "eyJhY" + ch + ".e30.", "eyJh.e30.c2" + ch}) {
        assertEquals(reference(raw), UnverifiedToken.isCompactJws(raw), () -> "char U+" + Integer.toHexString(ch));
      }
    }
  }

  @Test
  void unusedBitsAndLengthsAgreeWithTheReference() {
    for (int len = 0; len <= 9; len++) {
      for (char last : ALPHABET.toCharArray()) {
        String seg = "A".repeat(len) + last;
        String raw = "eyJh." + seg + "." + seg;
        assertEquals(reference(raw), UnverifiedToken.isCompactJws(raw), raw);
      }
    }
  }

  @Test
  void shape() {
    assertEquals(true, UnverifiedToken.isCompactJws("eyJh.."));
    assertEquals(false, UnverifiedToken.isCompactJws(".eyJh.c2ln"));
    assertEquals(false, UnverifiedToken.isCompactJws("eyJh.eyJh"));
    assertEquals(false, UnverifiedToken.isCompactJws("eyJh.eyJh.c2ln.c2ln"));
    assertEquals(false, UnverifiedToken.isCompactJws("eyJh.eyJh.c2ln="));
    assertEquals(false, UnverifiedToken.isCompactJws(""));
  }
}
