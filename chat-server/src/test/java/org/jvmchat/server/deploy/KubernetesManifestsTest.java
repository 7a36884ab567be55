package org.jvmchat.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jvmchat.server.config.ChatSettings;

/**
 * The kustomize base in deploy/k8s, read with Jackson YAML (no cluster and no schema validator
 * here; `kubectl kustomize deploy/k8s` is the documented manual check): every listed resource
 * exists and parses, the Deployment's probes, ports, environment, shutdown timing, resources and
 * security context, the Service, the Ingress's affinity and timeouts, the PodDisruptionBudget.
 */
class KubernetesManifestsTest {
  static final YAMLMapper YAML = new YAMLMapper();

  static JsonNode read(String file) {
    try {
      return YAML.readTree(Files.readString(RepoFiles.path("deploy/k8s/" + file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every resource of the kustomization, by kind. */
  static Map<String, JsonNode> resources() {
    Map<String, JsonNode> byKind = new HashMap<>();
    for (JsonNode file : read("kustomization.yaml").path("resources")) {
      JsonNode doc = read(file.asText());
      assertThat(doc.path("apiVersion").asText()).as(file.asText()).isNotEmpty();
      assertThat(doc.path("metadata").path("name").asText()).as(file.asText()).isNotEmpty();
      byKind.put(doc.path("kind").asText(), doc);
    }
    return byKind;
  }

  static JsonNode deployment() {
    return resources().get("Deployment");
  }

  static JsonNode container() {
    return deployment().path("spec").path("template").path("spec").path("containers").get(0);
  }

  static Map<String, JsonNode> env() {
    Map<String, JsonNode> env = new HashMap<>();
    for (JsonNode e : container().path("env")) {
      env.put(e.path("name").asText(), e);
    }
    return env;
  }

  @Test
  void theKustomizationListsEveryKindOnce() {
    assertThat(resources().keySet())
        .containsExactlyInAnyOrder(
            "ConfigMap", "Secret", "Deployment", "Service", "Ingress", "PodDisruptionBudget");
    JsonNode image = read("kustomization.yaml").path("images").get(0);
    assertThat(container().path("image").asText()).startsWith(image.path("name").asText() + ":");
  }

  @Test
  void twoReplicasProbedOnTheHealthEndpoints() {
    assertThat(deployment().path("spec").path("replicas").asInt()).isEqualTo(2);
    JsonNode c = container();
    assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    assertThat(c.path("ports").get(0).path("name").asText()).isEqualTo("http");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/health/ready");
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/health/live");
    assertThat(c.path("startupProbe").path("httpGet").path("path").asText())
        .isEqualTo("/health/live");
    JsonNode startup = c.path("startupProbe");
    assertThat(startup.path("periodSeconds").asInt() * startup.path("failureThreshold").asInt())
        .as("seconds allowed to start (database migration, Redis)")
        .isGreaterThanOrEqualTo(60);
    for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      assertThat(c.path(probe).path("httpGet").path("port").asText()).isEqualTo("http");
    }
  }

  @Test
  void terminationOutlastsPreStopAndTheServersShutdownGrace() {
    JsonNode pod = deployment().path("spec").path("template").path("spec");
    List<String> preStop = new ArrayList<>();
    container()
        .path("lifecycle")
        .path("preStop")
        .path("exec")
        .path("command")
        .forEach(n -> preStop.add(n.asText()));
    assertThat(preStop).hasSize(2).startsWith("sleep");
    long sleep = Long.parseLong(preStop.get(1));
    assertThat(pod.path("terminationGracePeriodSeconds").asLong())
        .isGreaterThan(sleep + ChatSettings.DEFAULT_SHUTDOWN_GRACE.toSeconds());
  }

  @Test
  void environmentComesFromTheConfigMapTheSecretAndThePod() {
    Map<String, JsonNode> resources = resources();
    List<String> from = new ArrayList<>();
    container().path("envFrom").forEach(e -> from.add(e.has("secretRef") ? "secret" : "configMap"));
    assertThat(from).containsExactlyInAnyOrder("secret", "configMap");
    JsonNode secret = resources.get("Secret").path("stringData");
    for (String key : List.of("JWT_SECRET", "DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY")) {
      assertThat(secret.has(key)).as(key).isTrue();
    }
    assertThat(secret.path("JWT_SECRET").asText().getBytes())
        .hasSizeGreaterThanOrEqualTo(ChatSettings.MIN_JWT_SECRET_BYTES);
    JsonNode config = resources.get("ConfigMap").path("data");
    assertThat(config.path("CHAT_ENVIRONMENT").asText()).isEqualTo("Production");
    assertThat(config.path("JAVA_TOOL_OPTIONS").asText()).contains("-XX:MaxRAMPercentage=75");
    Map<String, JsonNode> env = env();
    assertThat(env.get("PORT").path("value").asText()).isEqualTo("8080");
    assertThat(env.get("POD_IP").path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .isEqualTo("status.podIP");
    assertThat(env.get("CHAT_INSTANCE_URL").path("value").asText())
        .isEqualTo("http://$(POD_IP):8080");
  }

  @Test
  void resourcesAndSecurityContext() {
    JsonNode r = container().path("resources");
    assertThat(r.path("requests").path("memory").asText()).isNotEmpty();
    assertThat(r.path("requests").path("cpu").asText()).isNotEmpty();
    assertThat(r.path("limits").path("memory").asText()).isNotEmpty();
    JsonNode pod = deployment().path("spec").path("template").path("spec").path("securityContext");
    assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("runAsUser").asInt())
        .as("the image's USER")
        .isEqualTo(
            Integer.parseInt(
                DockerfileTest.last(DockerfileTest.runtimeStage(), "USER").args().split(":")[0]));
    JsonNode c = container().path("securityContext");
    assertThat(c.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(c.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container().path("volumeMounts").get(0).path("mountPath").asText())
        .isEqualTo("/tmp");
  }

  @Test
  void theServiceReachesThePods() {
    JsonNode service = resources().get("Service");
    assertThat(service.path("spec").path("ports").get(0).path("targetPort").asText())
        .isEqualTo("http");
    assertThat(service.path("spec").path("selector"))
        .isEqualTo(deployment().path("spec").path("selector").path("matchLabels"));
  }

  /**
   * /metrics is never public: the pods serve it on MANAGEMENT_PORT only (the main port answers 404
   * there, see observability.test.mjs), the Service's management port targets that container port,
   * and every path of the Ingress goes to the Service's http port, never to the management one.
   */
  @Test
  void metricsStayBehindTheManagementPortWhichTheIngressNeverReaches() {
    Map<String, Integer> containerPorts = new HashMap<>();
    container()
        .path("ports")
        .forEach(p -> containerPorts.put(p.path("name").asText(), p.path("containerPort").asInt()));
    int management = Integer.parseInt(env().get("MANAGEMENT_PORT").path("value").asText());
    assertThat(containerPorts).containsEntry("management", management);
    assertThat(containerPorts.get("http")).isNotEqualTo(management);
    assertThat(Integer.parseInt(env().get("PORT").path("value").asText()))
        .isEqualTo(containerPorts.get("http"));

    Map<String, String> serviceTargets = new HashMap<>();
    resources()
        .get("Service")
        .path("spec")
        .path("ports")
        .forEach(p -> serviceTargets.put(p.path("name").asText(), p.path("targetPort").asText()));
    assertThat(serviceTargets)
        .containsEntry("http", "http")
        .containsEntry("management", "management");

    List<String> ingressPorts = new ArrayList<>();
    for (JsonNode rule : resources().get("Ingress").path("spec").path("rules")) {
      for (JsonNode path : rule.path("http").path("paths")) {
        JsonNode port = path.path("backend").path("service").path("port");
        ingressPorts.add(
            port.has("name") ? port.path("name").asText() : port.path("number").asText());
      }
    }
    assertThat(ingressPorts).isNotEmpty().allMatch("http"::equals);
  }

  @Test
  void theIngressIsStickyByCookieWithLongTimeouts() {
    JsonNode ingress = resources().get("Ingress");
    JsonNode a = ingress.path("metadata").path("annotations");
    assertThat(a.path("nginx.ingress.kubernetes.io/affinity").asText()).isEqualTo("cookie");
    assertThat(a.path("nginx.ingress.kubernetes.io/session-cookie-name").asText()).isNotEmpty();
    assertThat(a.path("nginx.ingress.kubernetes.io/proxy-read-timeout").asText()).isEqualTo("120");
    assertThat(a.path("nginx.ingress.kubernetes.io/proxy-send-timeout").asText()).isEqualTo("120");
    assertThat(a.path("nginx.ingress.kubernetes.io/proxy-buffering").asText()).isEqualTo("off");
    assertThat(ingress.path("spec").path("ingressClassName").asText()).isEqualTo("nginx");
    JsonNode backend =
        ingress.path("spec").path("rules").get(0).path("http").path("paths").get(0).path("backend");
    assertThat(backend.path("service").path("name").asText())
        .isEqualTo(resources().get("Service").path("metadata").path("name").asText());
  }

  @Test
  void aDisruptionLeavesOnePodServing() {
    JsonNode pdb = resources().get("PodDisruptionBudget");
    assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(pdb.path("spec").path("minAvailable").asInt()).isEqualTo(1);
    assertThat(pdb.path("spec").path("selector").path("matchLabels"))
        .isEqualTo(deployment().path("spec").path("selector").path("matchLabels"));
  }
}
