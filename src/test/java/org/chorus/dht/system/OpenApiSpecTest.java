package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The served {@code /v3/api-docs} keeps the promises the generated client relies on, for every
 * operation, including ones added after this test: a unique operationId (no springdoc {@code _1}
 * suffix), a named tag (a controller without {@code @Tag} shows as {@code *-controller}), JSON
 * rather than {@code *}/{@code *}, 401 as a problem, every problem the {@code ProblemDetail}
 * schema, octet-stream as binary.
 */
class OpenApiSpecTest extends ApiTestSupport {

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  @Test
  void everyOperationIsNamedTaggedTypedAndDocumentsItsProblems() {
    HttpResponse<byte[]> response = get("/v3/api-docs", null);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode spec = json(response);
    JsonNode components = spec.path("components");
    assertThat(components.path("securitySchemes").path("bearer").path("scheme").asString())
        .isEqualTo("bearer");
    JsonNode problem = components.path("schemas").path("ProblemDetail").path("properties");
    for (String member : List.of("type", "title", "status", "detail", "instance", "field")) {
      assertThat(problem.has(member)).as(member).isTrue();
    }

    Set<String> ids = new HashSet<>();
    List<String> operations = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : spec.path("paths").properties()) {
      for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
        if (!METHODS.contains(op.getKey())) {
          continue;
        }
        String where = op.getKey().toUpperCase() + " " + path.getKey();
        operations.add(where);
        JsonNode operation = op.getValue();
        String id = operation.path("operationId").asString();
        assertThat(id).as(where).matches("[a-z][A-Za-z]+");
        assertThat(ids.add(id)).as(where + " duplicate operationId " + id).isTrue();
        assertThat(operation.path("tags").get(0).asString())
            .as(where)
            .doesNotEndWith("-controller");
        assertThat(operation.path("responses").has("401")).as(where).isTrue();
        for (Map.Entry<String, JsonNode> r : operation.path("responses").properties()) {
          JsonNode content = r.getValue().path("content");
          assertThat(content.has("*/*")).as(where + " " + r.getKey()).isFalse();
          if (r.getKey().startsWith("4")) {
            assertThat(
                    content.path("application/problem+json").path("schema").path("$ref").asString())
                .as(where + " " + r.getKey())
                .isEqualTo("#/components/schemas/ProblemDetail");
          }
          binary(content, where);
        }
        binary(operation.path("requestBody").path("content"), where);
      }
    }
    assertThat(operations)
        .contains(
            "PUT /api/v1/content",
            "GET /api/v1/content",
            "GET /api/v1/dht/values/{key}",
            "GET /api/v1/replication/status");
  }

  private static void binary(JsonNode content, String where) {
    if (content.has("application/octet-stream")) {
      assertThat(content.path("application/octet-stream").path("schema").path("format").asString())
          .as(where)
          .isEqualTo("binary");
    }
  }
}
