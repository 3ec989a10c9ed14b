package io.github.kubeoidc.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A Kubernetes {@code AuthenticationConfiguration} ({@code apiserver.config.k8s.io/v1alpha1|v1beta1|v1}),
 * exactly as kube-apiserver's {@code --authentication-config} reads it. Only {@code jwt} is acted on;
 * {@code anonymous} is accepted so that a file copied from a cluster loads, and ignored with a warning.
 */
public record AuthenticationConfiguration(
    String apiVersion, String kind, List<JwtAuthenticator> jwt, JsonNode anonymous) {

  public static final List<String> API_VERSIONS =
      List.of(
          "apiserver.config.k8s.io/v1alpha1",
          "apiserver.config.k8s.io/v1beta1",
          "apiserver.config.k8s.io/v1");
  public static final String KIND = "AuthenticationConfiguration";

  public AuthenticationConfiguration {
    jwt = Lists.copy(jwt);
  }
}
