package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chorus.dht.ChorusDhtApplication;
import org.chorus.dht.testing.RestCalls;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard ({@code helm/chorus-dht/dashboards/chorus-dht.json}) queries only metrics
 * that a real node exports: a node with the hybrid backend (so the {@code chorus_backend_*} meters
 * exist) stores and retrieves once, then every metric name in every panel's queries must appear in
 * its {@code /actuator/prometheus} output.
 */
@SpringBootTest(
    classes = ChorusDhtApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DashboardMetricsTest {

  static final Path DASHBOARD = Path.of("helm/chorus-dht/dashboards/chorus-dht.json");

  private static final String TOKEN = "dashboard-test-token";
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:chorus|http|jvm|process|cache|tomcat|executor)_[a-z0-9_]+)\\b");
  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

  @LocalServerPort int port;

  @DynamicPropertySource
  static void nodeProperties(DynamicPropertyRegistry registry) throws IOException {
    Path dir = Files.createTempDirectory("chorus-dashboard-test-");
    registry.add("chorus.data-dir", dir::toString);
    registry.add("chorus.dht.backend", () -> "hybrid");
    registry.add("chorus.dht.listen", () -> "/ip4/127.0.0.1/tcp/0");
    registry.add("chorus.security.tokens[0].principal", () -> "dash");
    registry.add("chorus.security.tokens[0].role", () -> "senior_architect");
    registry.add("chorus.security.tokens[0].sha256", () -> TokenRegistry.sha256Hex(TOKEN));
  }

  @Test
  void everyPanelQueriesMetricsTheNodeExports() throws Exception {
    String address = "ucxl://dash/senior_architect/dashboard/task/item";
    String query = "/api/v1/content?address=" + URLEncoder.encode(address, StandardCharsets.UTF_8);
    assertThat(send("PUT", query, "{\"text\":\"x\",\"contentType\":\"text/plain\"}").statusCode())
        .isEqualTo(201);
    assertThat(send("GET", query, null).statusCode()).isEqualTo(200);

    HttpResponse<String> scrape = send("GET", "/actuator/prometheus", null);
    assertThat(scrape.statusCode()).isEqualTo(200);
    Set<String> exported = new TreeSet<>();
    scrape
        .body()
        .lines()
        .map(LINE::matcher)
        .filter(Matcher::find)
        .forEach(m -> exported.add(m.group(1)));
    assertThat(exported).contains("chorus_storage_stores_total", "chorus_backend_active");

    JsonNode dashboard = JsonMapper.builder().build().readTree(DASHBOARD.toFile());
    List<String> problems = new ArrayList<>();
    int queried = 0;
    for (JsonNode panel : dashboard.get("panels")) {
      if (panel.get("type").asString().equals("row")) {
        continue;
      }
      String title = panel.get("title").asString();
      if (!panel.has("targets") || panel.get("targets").isEmpty()) {
        problems.add(title + ": no query");
      }
      for (JsonNode target : panel.path("targets")) {
        Matcher m = METRIC.matcher(target.get("expr").asString());
        boolean any = false;
        while (m.find()) {
          any = true;
          queried++;
          String name = m.group(1);
          if (!exported.contains(name)) {
            problems.add(title + ": " + name);
          }
        }
        if (!any) {
          problems.add(title + ": no metric in " + target.get("expr"));
        }
      }
    }
    assertThat(problems).as("panels querying metrics the node does not export").isEmpty();
    assertThat(queried).isGreaterThan(20);
  }

  @Test
  void panelsCoverWhatOperatorsNeed() throws Exception {
    String json = Files.readString(DASHBOARD);
    for (String metric :
        List.of(
            "chorus_dht_peers",
            "chorus_dht_routing_table_size",
            "chorus_storage_stores_total",
            "chorus_storage_retrievals_total",
            "http_server_requests_seconds_sum",
            "chorus_storage_cache_hits_total",
            "chorus_replication_keys",
            "chorus_replication_under_replicated",
            "chorus_replication_critical",
            "chorus_replication_reprovide_lag_seconds",
            "chorus_audit_failures_total",
            "chorus_p2p_connections",
            "chorus_p2p_refused_total")) {
      assertThat(json).as(metric).contains(metric);
    }
  }

  private HttpResponse<String> send(String method, String path, String json) throws Exception {
    return RestCalls.send(port, TOKEN, method, path, json, Duration.ofSeconds(30));
  }
}
