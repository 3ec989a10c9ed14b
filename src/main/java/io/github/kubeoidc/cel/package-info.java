/**
 * Kubernetes' CEL function libraries (URLs, regex, lists, IP/CIDR, string.format, semver, quantity)
 * for cel-java, with the semantics kube-apiserver gives them. The entry point is
 * {@link io.github.kubeoidc.cel.KubernetesCelLibrary}; the other public classes are the runtime values
 * of its opaque CEL types.
 */
package io.github.kubeoidc.cel;
