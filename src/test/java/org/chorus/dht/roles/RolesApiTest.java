package org.chorus.dht.roles;

import static org.assertj.core.api.Assertions.assertThat;

import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class RolesApiTest extends ApiTestSupport {

  @Test
  void listsTheRolesWithTheirRecipientsAndReaders() {
    JsonNode body = json(get("/api/v1/roles", "read_only_observer"));
    assertThat(body.path("count").asInt()).isEqualTo(7);
    JsonNode qa =
        body.path("roles")
            .valueStream()
            .filter(r -> r.path("name").asString().equals("qa_engineer"))
            .findFirst()
            .orElseThrow();
    assertThat(qa.path("authority").asString()).isEqualTo("suggestion");
    assertThat(qa.path("recipient").asString()).startsWith("age1");
    assertThat(qa.path("identityHeld").asBoolean()).isTrue();
    assertThat(qa.path("readableBy").valueStream().map(JsonNode::asString))
        .containsExactly("qa_engineer", "senior_architect", "project_manager");
    assertThat(body.toString()).doesNotContain("AGE-SECRET-KEY");
  }
}
