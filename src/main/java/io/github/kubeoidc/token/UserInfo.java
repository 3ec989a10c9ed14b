package io.github.kubeoidc.token;

import java.util.List;
import java.util.Map;

/** The authenticated user, as a TokenReview's {@code status.user}. {@code uid} is "" when not mapped. */
public record UserInfo(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
  public UserInfo {
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }
}
