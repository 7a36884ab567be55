package org.jvmchat.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jvmchat.server.config.OperationsSettings;

/**
 * deploy/monitoring and the management port in deploy/k8s: the ServiceMonitor scrapes the Service
 * port that targets the container's MANAGEMENT_PORT, the Ingress never routes to it, and every
 * alert and dashboard query names metrics the server exports (checked against the names that
 * observability.test.mjs scrapes from a running server).
 */
class MonitoringManifestsTest {
  static final YAMLMapper YAML = new YAMLMapper();

  static JsonNode yaml(String path) throws IOException {
    return YAML.readTree(RepoFiles.read(path));
  }

  /** Metric names the server exports (asserted by the Node tests against a running server). */
  static final List<String> EXPORTED =
      List.of(
          "signalr_server_active_connections",
          "signalr_server_connection_duration_seconds_bucket",
          "signalr_server_connection_duration_seconds_count",
          "jvmchat_hub_invocation_duration_seconds_bucket",
          "jvmchat_hub_invocation_duration_seconds_count",
          "jvmchat_limits_rejected_total",
          "chat_messages_stored_total",
          "jvm_memory_used_bytes",
          "lettuce_command_completion_seconds_bucket",
          "jvmchat_store_commit_duration_seconds_bucket",
          "jvmchat_backplane_publish_duration_seconds_bucket",
          "up");

  @Test
  void theServiceMonitorScrapesTheManagementPortWhichTheIngressDoesNotRoute() throws IOException {
    JsonNode monitor = yaml("deploy/monitoring/servicemonitor.yaml");
    assertThat(monitor.path("kind").asText()).isEqualTo("ServiceMonitor");
    JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    String portName = endpoint.path("port").asText();

    JsonNode service = yaml("deploy/k8s/service.yaml");
    JsonNode servicePort = null;
    for (JsonNode p : service.path("spec").path("ports")) {
      if (p.path("name").asText().equals(portName)) {
        servicePort = p;
      }
    }
    assertThat(servicePort).as("the Service has a port named " + portName).isNotNull();
    JsonNode container =
        yaml("deploy/k8s/deployment.yaml")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    int containerPort = -1;
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(servicePort.path("targetPort").asText())) {
        containerPort = p.path("containerPort").asInt();
      }
    }
    String managementPort = null;
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals("MANAGEMENT_PORT")) {
        managementPort = e.path("value").asText();
      }
    }
    assertThat(managementPort).isEqualTo(Integer.toString(containerPort));
    assertThat(RepoFiles.read("deploy/k8s/ingress.yaml")).doesNotContain(portName);
    // The monitoring selector matches the label the base puts on every resource.
    assertThat(
            monitor
                .path("spec")
                .path("selector")
                .path("matchLabels")
                .path("app.kubernetes.io/name")
                .asText())
        .isEqualTo("chat-server");
    assertThat(RepoFiles.read("deploy/k8s/kustomization.yaml"))
        .contains("app.kubernetes.io/name: chat-server");
  }

  @Test
  void theConfigMapsLimitsAndLogFormatAreValidSettings() throws IOException {
    JsonNode data = yaml("deploy/k8s/configmap.yaml").path("data");
    Map<String, String> env =
        Map.of(
            "LOG_FORMAT", data.path("LOG_FORMAT").asText(),
            "LOG_LEVEL", data.path("LOG_LEVEL").asText(),
            "MAX_CONNECTIONS_PER_USER", data.path("MAX_CONNECTIONS_PER_USER").asText(),
            "MESSAGE_RATE_LIMIT", data.path("MESSAGE_RATE_LIMIT").asText(),
            "NEGOTIATE_RATE_LIMIT_PER_IP", data.path("NEGOTIATE_RATE_LIMIT_PER_IP").asText(),
            "MANAGEMENT_PORT", "9090");
    OperationsSettings s = OperationsSettings.fromEnvironment(env);
    assertThat(s.logFormat()).isEqualTo("json");
    assertThat(s.maxConnectionsPerUser()).isPositive();
    assertThat(s.messageRateLimit()).isNotNull();
    assertThat(s.negotiateRateLimitPerIp()).isNotNull();
  }

  @Test
  void everyAlertAndDashboardQueryNamesExportedMetrics() throws IOException {
    List<String> exprs = new ArrayList<>();
    JsonNode rules = yaml("deploy/monitoring/prometheusrule.yaml");
    assertThat(rules.path("kind").asText()).isEqualTo("PrometheusRule");
    for (JsonNode group : rules.path("spec").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        assertThat(rule.path("alert").asText()).isNotEmpty();
        assertThat(rule.path("annotations").path("summary").asText()).isNotEmpty();
        exprs.add(rule.path("expr").asText());
      }
    }
    JsonNode dashboard =
        new ObjectMapper().readTree(RepoFiles.read("deploy/monitoring/chat-server-dashboard.json"));
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        exprs.add(target.path("expr").asText());
      }
    }
    assertThat(exprs).hasSizeGreaterThan(8);
    java.util.regex.Pattern metric =
        java.util.regex.Pattern.compile("\\b([a-z_]+_[a-z_]+|up)(?=\\{|\\[| |\\)|$)");
    for (String expr : exprs) {
      // Without grouping clauses and label matchers, what remains are functions and metric names.
      String bare = expr.replaceAll("by \\([^)]*\\)", "").replaceAll("\\{[^}]*\\}", "{}");
      java.util.regex.Matcher m = metric.matcher(bare);
      boolean any = false;
      while (m.find()) {
        String name = m.group(1);
        if (name.startsWith("histogram_") || name.equals("clamp_min")) {
          continue;
        }
        any = true;
        assertThat(EXPORTED).as("metric in: " + expr).contains(name);
      }
      assertThat(any).as("a metric in: " + expr).isTrue();
    }
    assertThat(RepoFiles.read("deploy/monitoring/kustomization.yaml"))
        .contains("servicemonitor.yaml", "prometheusrule.yaml", "chat-server-dashboard.json");
  }
}
