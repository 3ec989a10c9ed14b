package io.github.kubeoidc.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.github.kubeoidc.cli.ServeCommand;
import io.github.kubeoidc.config.ConfigLoader;
import io.github.kubeoidc.config.JwtAuthenticator;
import io.github.kubeoidc.config.WebhookConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Renders {@code deploy/} with {@code kubectl kustomize} and reads every object strictly with the fabric8
 * Kubernetes model (the real object schemas; an unknown or misspelled field is an error), then checks the
 * manifests against the server they deploy: probes, ports, file paths, security settings and the
 * configuration the webhook will load.
 */
class ManifestsTest {
  static final String NAMESPACE = "kube-oidc-webhook";
  static final String CONFIG_FILE = "authentication-config.yaml";

  /** Kind to (apiVersion, model class): everything deploy/ may render. */
  static final Map<String, Map.Entry<String, Class<? extends HasMetadata>>> KINDS = Map.of(
      "Namespace", Map.entry("v1", Namespace.class),
      "ServiceAccount", Map.entry("v1", ServiceAccount.class),
      "ConfigMap", Map.entry("v1", ConfigMap.class),
      "Service", Map.entry("v1", Service.class),
      "Deployment", Map.entry("apps/v1", Deployment.class),
      "PodDisruptionBudget", Map.entry("policy/v1", PodDisruptionBudget.class),
      "HorizontalPodAutoscaler", Map.entry("autoscaling/v2", HorizontalPodAutoscaler.class));

  static List<JsonNode> rendered;
  static Map<String, HasMetadata> objects;
  static Deployment deployment;
  static PodSpec pod;
  static Container container;
  static ConfigMap configMap;

  @BeforeAll
  static void render() throws Exception {
    if (!onPath("kubectl")) {
      fail("kubectl is not on the PATH: this test renders deploy/ with `kubectl kustomize deploy/`."
          + " Install kubectl (it works offline for kustomize); CI machines have it.");
    }
    String yaml = Commands.run(Duration.ofSeconds(60), List.of("kubectl", "kustomize", "deploy/")).stdout();
    rendered = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll();
    objects = new LinkedHashMap<>();
    for (JsonNode doc : rendered) {
      HasMetadata o = strictRead(doc);
      HasMetadata previous = objects.put(o.getKind(), o);
      assertNull(previous, "deploy/ renders more than one " + o.getKind());
    }
    deployment = (Deployment) objects.get("Deployment");
    configMap = (ConfigMap) objects.get("ConfigMap");
    assertNotNull(deployment, "no Deployment rendered");
    pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals(1, pod.getContainers().size(), "one container");
    container = pod.getContainers().get(0);
  }

  static boolean onPath(String program) {
    String path = System.getenv("PATH");
    return path != null && List.of(path.split(File.pathSeparator)).stream()
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }

  /**
   * fabric8's model classes keep unknown fields in an "additionalProperties" map (a Jackson any-setter),
   * which would let a misspelled field through. This mapper ignores any-setters, so with
   * FAIL_ON_UNKNOWN_PROPERTIES every field must exist in the schema, as {@code kubectl apply
   * --validate=strict} demands.
   */
  static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .annotationIntrospector(new NoAnySetter())
      .build();

  static final class NoAnySetter extends JacksonAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasAnySetter(Annotated a) {
      return null;
    }
  }

  static HasMetadata strictRead(JsonNode doc) throws Exception {
    String kind = doc.path("kind").asText();
    Map.Entry<String, Class<? extends HasMetadata>> type = KINDS.get(kind);
    assertNotNull(type, "deploy/ renders an unexpected kind: " + kind);
    assertEquals(type.getKey(), doc.path("apiVersion").asText(), kind + " apiVersion");
    return STRICT.treeToValue(doc, type.getValue());
  }

  @Test
  void strictReadingRejectsAMisspelledField() throws Exception {
    ObjectNode doc = rendered.stream().filter(d -> d.path("kind").asText().equals("Deployment"))
        .findFirst().orElseThrow().deepCopy();
    ((ObjectNode) doc.at("/spec/template/spec/containers/0")).set("readinesProbe", doc.at("/spec/template/spec/containers/0/readinessProbe"));
    UnrecognizedPropertyException e = assertThrows(UnrecognizedPropertyException.class, () -> strictRead(doc));
    assertEquals("readinesProbe", e.getPropertyName());
  }

  @Test
  void rendersEveryObjectTheWebhookNeedsInItsNamespace() {
    assertEquals(new TreeSet<>(KINDS.keySet()), new TreeSet<>(objects.keySet()));
    for (HasMetadata o : objects.values()) {
      if (o instanceof Namespace ns) {
        assertEquals(NAMESPACE, ns.getMetadata().getName());
      } else {
        assertEquals(NAMESPACE, o.getMetadata().getNamespace(), o.getKind() + " namespace");
      }
    }
  }

  @Test
  void deploymentRunsTwoOrMoreReplicasSpreadOverNodes() {
    assertTrue(deployment.getSpec().getReplicas() >= 2, "replicas >= 2");
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertEquals(deployment.getSpec().getSelector().getMatchLabels(), podLabels);

    TopologySpreadConstraint perNode = pod.getTopologySpreadConstraints().stream()
        .filter(t -> t.getTopologyKey().equals("kubernetes.io/hostname")).findFirst()
        .orElseThrow(() -> new AssertionError("no topologySpreadConstraint over kubernetes.io/hostname"));
    assertEquals("DoNotSchedule", perNode.getWhenUnsatisfiable());
    assertEquals(1, perNode.getMaxSkew());
    assertEquals(podLabels, perNode.getLabelSelector().getMatchLabels());

    // a rollout never drops below the replicas, a drain never below one, the autoscaler never below two
    assertEquals(new IntOrString(0), deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable());
    PodDisruptionBudget pdb = (PodDisruptionBudget) objects.get("PodDisruptionBudget");
    assertEquals(new IntOrString(1), pdb.getSpec().getMinAvailable());
    assertEquals(podLabels, pdb.getSpec().getSelector().getMatchLabels());
    HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) objects.get("HorizontalPodAutoscaler");
    assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
    assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
    assertTrue(hpa.getSpec().getMinReplicas() >= 2, "HPA minReplicas >= 2");
    assertTrue(hpa.getSpec().getMaxReplicas() >= hpa.getSpec().getMinReplicas());
    MetricSpec cpu = hpa.getSpec().getMetrics().get(0);
    assertEquals("Resource", cpu.getType());
    assertEquals("cpu", cpu.getResource().getName());
    assertNotNull(cpu.getResource().getTarget().getAverageUtilization());
  }

  @Test
  void probesAndServiceUseTheServersHealthEndpointsAndDefaultSecurePort() {
    int securePort = Integer.parseInt(new CommandLine(new ServeCommand()).getCommandSpec()
        .findOption("--secure-port").defaultValue());
    assertFalse(container.getArgs().stream().anyMatch(a -> a.startsWith("--secure-port")),
        "the manifests rely on the default --secure-port");

    assertEquals(securePort, containerPort(container.getReadinessProbe().getHttpGet().getPort()));
    assertEquals(securePort, containerPort(container.getLivenessProbe().getHttpGet().getPort()));
    HTTPGetAction ready = container.getReadinessProbe().getHttpGet();
    HTTPGetAction live = container.getLivenessProbe().getHttpGet();
    assertEquals("/readyz", ready.getPath());
    assertEquals("/livez", live.getPath());
    assertEquals("HTTPS", ready.getScheme());
    assertEquals("HTTPS", live.getScheme());

    Service service = (Service) objects.get("Service");
    assertEquals(deployment.getSpec().getTemplate().getMetadata().getLabels(), service.getSpec().getSelector());
    ServicePort port = service.getSpec().getPorts().get(0);
    assertEquals(443, port.getPort(), "kube-apiserver calls https://kube-oidc-webhook.kube-oidc-webhook.svc:443");
    assertEquals(securePort, containerPort(port.getTargetPort()));
    assertEquals(List.of(String.valueOf(securePort)), Dockerfile.read().exposed(), "Dockerfile EXPOSE");
  }

  /** A probe's or Service's port, by number or by the container port's name. */
  static int containerPort(IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
  }

  @Test
  void containerRunsLockedDown() {
    SecurityContext sc = container.getSecurityContext();
    assertEquals(Boolean.TRUE, sc.getRunAsNonRoot());
    assertEquals(65532L, sc.getRunAsUser());
    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
    assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), "no capability added");
    assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());
    assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    assertEquals("65532:65532", Dockerfile.read().user(), "the image's USER is the pod's runAsUser");

    // no API access: no token mounted, from the ServiceAccount or the pod
    assertEquals(Boolean.FALSE, ((ServiceAccount) objects.get("ServiceAccount")).getAutomountServiceAccountToken());
    assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
    assertEquals("kube-oidc-webhook", pod.getServiceAccountName());

    // the only writable place is /tmp, where the image points java.io.tmpdir
    VolumeMount tmp = mountAt("/tmp");
    assertNotNull(volume(tmp.getName()).getEmptyDir(), "/tmp is an emptyDir");
    assertTrue(Dockerfile.read().entrypoint().contains("-Djava.io.tmpdir=/tmp"));
  }

  @Test
  void containerHasRequestsAndAMemoryLimitTheJvmSizesItsHeapFrom() {
    Map<String, Quantity> requests = container.getResources().getRequests();
    Map<String, Quantity> limits = container.getResources().getLimits();
    assertNotNull(requests.get("cpu"), "cpu request");
    assertNotNull(requests.get("memory"), "memory request");
    long memoryLimit = Quantity.getAmountInBytes(limits.get("memory")).longValueExact();
    assertTrue(memoryLimit >= 256L << 20 && memoryLimit <= 384L << 20, "memory limit 256Mi-384Mi: " + limits.get("memory"));
    assertTrue(Quantity.getAmountInBytes(requests.get("memory")).longValueExact() <= memoryLimit);
    List<String> jvm = Dockerfile.read().entrypoint();
    assertTrue(jvm.stream().anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage=")), "heap follows the container limit");
    assertTrue(jvm.contains("-XX:+ExitOnOutOfMemoryError"));
  }

  @Test
  void configMapHoldsTheDexConfigurationAndTheWebhookLoadsIt(@TempDir Path dir) throws Exception {
    String text = configMap.getData().get(CONFIG_FILE);
    assertNotNull(text, "ConfigMap key " + CONFIG_FILE);
    assertEquals(Files.readString(Path.of("deploy", CONFIG_FILE)), text, "the ConfigMap is deploy/" + CONFIG_FILE);

    WebhookConfig cfg = ConfigLoader.load(Files.writeString(dir.resolve(CONFIG_FILE), text));
    assertEquals(1, cfg.authenticators().size());
    JwtAuthenticator dex = cfg.authenticators().get(0);
    assertEquals("https://dex.example.com:32000", dex.issuer().url());
    assertEquals(List.of("example-app"), dex.issuer().audiences());
    assertEquals("email", dex.claimMappings().username().claim());
    assertEquals("", dex.claimMappings().username().prefix());
    assertEquals("groups", dex.claimMappings().groups().claim());
    assertEquals("oidc:", dex.claimMappings().groups().prefix());
    // the Dex guide's user validation rule, compiled
    assertEquals("!user.username.startsWith('system:')", dex.userValidationRules().get(0).expression());
    assertEquals(1, cfg.rules().get(0).userValidationRules().size());
  }

  @Test
  void everyFileTheArgumentsNameIsProvidedByAMountedVolume() {
    List<String> paths = new ArrayList<>();
    for (String arg : container.getArgs()) {
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0 && arg.substring(eq + 1).startsWith("/")) {
        paths.add(arg.substring(eq + 1));
      }
    }
    assertEquals(4, paths.size(), "config, serving cert, key and client CA: " + container.getArgs());
    Set<String> secrets = new TreeSet<>();
    for (String path : paths) {
      VolumeMount mount = container.getVolumeMounts().stream()
          .filter(m -> path.startsWith(m.getMountPath() + "/")).findFirst()
          .orElseThrow(() -> new AssertionError(path + " lies under no volumeMount"));
      assertEquals(Boolean.TRUE, mount.getReadOnly(), mount.getMountPath() + " is mounted read-only");
      String file = path.substring(mount.getMountPath().length() + 1);
      Volume v = volume(mount.getName());
      if (v.getConfigMap() != null) {
        assertEquals(configMap.getMetadata().getName(), v.getConfigMap().getName(), "the volume names the generated ConfigMap");
        assertTrue(configMap.getData().containsKey(file), "ConfigMap has key " + file);
        assertTrue(itemPaths(v.getConfigMap().getItems()).contains(file), path + " among the volume's items");
      } else if (v.getSecret() != null) {
        secrets.add(v.getSecret().getSecretName());
        assertTrue(itemPaths(v.getSecret().getItems()).contains(file), path + " among the Secret volume's items");
      } else {
        fail(path + " is on volume " + v.getName() + ", which is neither a ConfigMap nor a Secret");
      }
    }
    assertEquals(Set.of("kube-oidc-webhook-tls", "kube-oidc-webhook-client-ca"), secrets);
  }

  @Test
  void deploymentArgumentsAreTheImagesCmd() {
    JsonNode raw = rendered.stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
    assertTrue(raw.at("/spec/template/spec/containers/0/command").isMissingNode(),
        "no command: the image's ENTRYPOINT runs (java ... -jar ... serve)");
    assertEquals(Dockerfile.read().cmd(), container.getArgs());
    List<String> entrypoint = Dockerfile.read().entrypoint();
    assertEquals("serve", entrypoint.get(entrypoint.size() - 1));
    assertEquals("/app/kube-oidc-webhook.jar", entrypoint.get(entrypoint.indexOf("-jar") + 1));
    assertEquals("kube-oidc-webhook", container.getImage().split(":")[0]);
  }

  static VolumeMount mountAt(String path) {
    return container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
  }

  static Volume volume(String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  static List<String> itemPaths(List<KeyToPath> items) {
    return items.stream().peek(i -> assertEquals(i.getKey(), i.getPath(), "file named as its key")).map(KeyToPath::getPath).toList();
  }
}
