package org.chorus.dht.apiclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.chorus.dht.apiclient.api.BackendsApi;
import org.chorus.dht.apiclient.api.ContentApi;
import org.chorus.dht.apiclient.api.DhtApi;
import org.chorus.dht.apiclient.api.ReplicationApi;
import org.chorus.dht.apiclient.api.RolesApi;
import org.chorus.dht.apiclient.model.AnnounceRoleRequest;
import org.chorus.dht.apiclient.model.AnnouncementView;
import org.chorus.dht.apiclient.model.BackendHealth;
import org.chorus.dht.apiclient.model.Backends;
import org.chorus.dht.apiclient.model.ContentResponse;
import org.chorus.dht.apiclient.model.DhtStats;
import org.chorus.dht.apiclient.model.MetadataList;
import org.chorus.dht.apiclient.model.MetadataView;
import org.chorus.dht.apiclient.model.PeerView;
import org.chorus.dht.apiclient.model.Peers;
import org.chorus.dht.apiclient.model.ProblemDetail;
import org.chorus.dht.apiclient.model.ReplicationMetrics;
import org.chorus.dht.apiclient.model.ReplicationStatus;
import org.chorus.dht.apiclient.model.Reprovided;
import org.chorus.dht.apiclient.model.StoreRequest;
import org.chorus.dht.testing.ApiTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The published OpenAPI spec is complete and correct: a Java client generated from it at build time
 * ({@code openapi-generator-maven-plugin}, from the {@code /v3/api-docs} of this very application;
 * see {@code OpenApiSpecDump}) stores, retrieves, searches and lists content, reads node state,
 * replication status and peers on a running node, and every documented error arrives as the
 * generated {@link ProblemDetail} type. This class talks to the node through the generated client
 * only.
 *
 * <p>Every operation of the spec becomes a method of the {@code *Api} class of its tag, so an
 * endpoint added to the app is in the client at the next build; covering it here is one more test
 * method on its {@code *Api}.
 */
class GeneratedClientEndToEndTest extends ApiTestSupport {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A project no other test uses, so that searches see only what this class stored. */
  private static final String PROJECT = "e2e-" + UUID.randomUUID();

  /** The generated client on this node, with {@code role}'s bearer token (null: no token). */
  private ApiClient client(String role) {
    JsonMapper mapper = ApiClient.createDefaultMapper(null);
    JdkClientHttpRequestFactory requests =
        new JdkClientHttpRequestFactory(HttpClient.newBuilder().connectTimeout(TIMEOUT).build());
    requests.setReadTimeout(TIMEOUT);
    RestClient rest = ApiClient.buildRestClientBuilder(mapper).requestFactory(requests).build();
    ApiClient client = new ApiClient(rest, mapper, ApiClient.createDefaultDateFormat());
    client.setBasePath("http://localhost:" + port);
    if (role != null) {
      client.setBearerToken(TOKENS.getOrDefault(role, role));
    }
    return client;
  }

  private ContentApi content(String role) {
    return new ContentApi(client(role));
  }

  private static String address(String role, String path) {
    return "ucxl://agent-e2e/" + role + "/" + PROJECT + "/task-1/" + path;
  }

  private static StoreRequest text(String text) {
    return new StoreRequest().text(text).contentType("text/plain");
  }

  @Test
  void storesTextAndBase64AndRetrievesThePlaintextAndMetadata() throws Exception {
    String textAddress = address("backend_developer", "notes/design.md");
    // var: the store response is the stored metadata (its type's name is the spec's business)
    var created =
        content("backend_developer")
            .storeContentWithHttpInfo(textAddress, text("generated clients work"), null, null);
    assertThat(created.getStatusCode().value()).isEqualTo(201);
    assertThat(created.getHeaders().getLocation())
        .hasToString("/api/v1/content?address=" + enc(textAddress));
    var stored = created.getBody();
    assertThat(stored.getReplication().getComplete()).isTrue();
    assertThat(stored.getReplication().getReached()).isEqualTo(1);
    assertThat(stored.getAddress()).isEqualTo(textAddress);
    assertThat(stored.getCreatorRole()).isEqualTo("backend_developer");
    assertThat(stored.getCreatorNode()).startsWith("12D3KooW"); // the writing node's peer id
    assertThat(stored.getContentType()).isEqualTo("text/plain");
    assertThat(stored.getSize()).isEqualTo(22L);
    assertThat(stored.getVersion()).isEqualTo(1L);
    assertThat(stored.getEncryptedFor()).contains("backend_developer", "qa_engineer");
    assertThat(stored.getTimestamp()).isBefore(OffsetDateTime.now().plusMinutes(1));

    ContentResponse read = content("qa_engineer").getContent(textAddress);
    assertThat(read.getText()).isEqualTo("generated clients work");
    assertThat(Base64.getDecoder().decode(read.getContent()))
        .isEqualTo("generated clients work".getBytes(StandardCharsets.UTF_8));
    assertThat(read.getMetadata().getSha256()).isEqualTo(stored.getSha256());

    byte[] binary = new byte[4096];
    new Random(11).nextBytes(binary);
    binary[0] = (byte) 0xff; // never valid UTF-8
    String binaryAddress = address("devops_engineer", "blobs/image.bin");
    var binaryStored =
        content("devops_engineer")
            .storeContent(
                binaryAddress,
                new StoreRequest()
                    .content(Base64.getEncoder().encodeToString(binary))
                    .contentType("application/octet-stream"),
                null,
                null);
    ContentResponse binaryRead = content("devops_engineer").getContent(binaryAddress);
    assertThat(Base64.getDecoder().decode(binaryRead.getContent())).isEqualTo(binary);
    assertThat(binaryRead.getText()).isNull();

    MetadataView metadata = content("read_only_observer").getContentMetadata(binaryAddress);
    assertThat(metadata.getSize()).isEqualTo(4096L);
    assertThat(metadata.getSha256()).isEqualTo(binaryStored.getSha256());
    assertThat(metadata.getSha256()) // of the ciphertext, so never that of the plaintext
        .hasSize(64)
        .isNotEqualTo(
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(binary)));
    assertThat(metadata.getDhtKey()).isEqualTo(binaryStored.getDhtKey()).startsWith("/CHORUS/");

    // The raw record is binary (application/octet-stream): the signed envelope, encrypted.
    byte[] record =
        new DhtApi(client("devops_engineer"))
            .getDhtValue(binaryStored.getDhtKey())
            .getContentAsByteArray();
    assertThat(record.length).isGreaterThan(binary.length);
    assertThat(new String(record, StandardCharsets.ISO_8859_1))
        .doesNotContain(new String(binary, 16, 64, StandardCharsets.ISO_8859_1));
  }

  @Test
  void readsReplicationStatusMetricsAndReprovides() {
    String address = address("backend_developer", "replicated.md");
    var stored = content("backend_developer").storeContent(address, text("copies"), null, null);

    ReplicationApi replication = new ReplicationApi(client("qa_engineer"));
    ReplicationStatus status = replication.getReplicationStatus(address);
    assertThat(status.getKey()).isEqualTo(stored.getDhtKey());
    assertThat(status.getTracked()).isTrue();
    // a standalone default node: its one copy, below the factor
    assertThat(status.getBackend()).isEqualTo("network");
    assertThat(status.getTarget()).isEqualTo(3);
    assertThat(status.getActual()).isEqualTo(1);
    assertThat(status.getHealth()).isEqualTo("critical");
    assertThat(status.getHolders()).hasSize(1);
    assertThat(status.getNextDue()).isAfter(OffsetDateTime.now().minusMinutes(1));

    Reprovided reprovided = replication.reprovideContent(address);
    assertThat(reprovided.getKey()).isEqualTo(stored.getDhtKey());
    assertThat(reprovided.getActual()).isEqualTo(1);
    assertThat(replication.getReplicationStatus(address).getLastReprovided()).isNotNull();

    ReplicationMetrics metrics = replication.getReplicationMetrics();
    assertThat(metrics.getKeys()).isPositive();
    assertThat(metrics.getFactor()).isEqualTo(3);

    ProblemDetail unknown =
        problem(() -> replication.getReplicationStatus(address("qa_engineer", "never")), 404);
    assertThat(unknown.getField()).isEqualTo("address");
    assertThat(problem(() -> replication.reprovideContent("ucxl://x"), 400).getField())
        .isEqualTo("address");
  }

  @Test
  void searchesByProjectAndRoleAndListsByRole() {
    String first = address("frontend_developer", "ui/one.md");
    String second = address("frontend_developer", "ui/two.md");
    String other = address("qa_engineer", "tests/plan.md");
    var firstStored = content("frontend_developer").storeContent(first, text("one"), null, null);
    content("frontend_developer").storeContent(second, text("two"), null, null);
    content("qa_engineer").storeContent(other, text("plan"), null, null);

    ContentApi api = content("read_only_observer");
    MetadataList project = api.searchContent(null, null, PROJECT, null, null, null, null, 100);
    assertThat(addresses(project)).contains(first, second, other);
    assertThat(project.getCount()).isEqualTo(project.getItems().size());

    MetadataList byRole =
        api.searchContent(
            null,
            "frontend_developer",
            PROJECT,
            "task-1",
            "text/plain",
            firstStored.getTimestamp().minusSeconds(1),
            OffsetDateTime.now().plusHours(1),
            100);
    assertThat(addresses(byRole)).containsExactlyInAnyOrder(first, second);

    MetadataList none =
        api.searchContent(
            null, null, PROJECT, null, null, null, firstStored.getTimestamp().minusDays(1), 100);
    assertThat(none.getCount()).isZero();

    MetadataList listed = api.listContentByRole("qa_engineer", 1000);
    assertThat(addresses(listed)).contains(other).doesNotContain(first, second);
  }

  private static List<String> addresses(MetadataList list) {
    return list.getItems().stream().map(MetadataView::getAddress).toList();
  }

  @Test
  void readsNodeStateFindsPeersByRoleAndListsBackends() {
    DhtApi dht = new DhtApi(client("qa_engineer"));
    DhtStats stats = dht.getDhtStats();
    assertThat(stats.getBackend()).isEqualTo("hybrid");
    assertThat(stats.getPeerId()).startsWith("12D3KooW");
    assertThat(stats.getBootstrapped()).isFalse(); // standalone: no peer yet
    assertThat(stats.getUptime()).isNotNegative();
    assertThat(stats.getTotalKeys()).isNotNegative();
    assertThat(dht.getDhtPeers().getPeers()).isEmpty(); // nobody has joined
    assertThat(dht.getRoutingTable().getSize()).isEqualTo(stats.getRoutingTableSize()).isZero();

    AnnouncementView announced =
        new RolesApi(client("backend_developer"))
            .announceRole(new AnnounceRoleRequest().capabilities(List.of("e2e-client")));
    assertThat(announced.getRole()).isEqualTo("backend_developer");
    assertThat(announced.getCapabilities()).contains("e2e-client");
    assertThat(announced.getPeerId()).startsWith("12D3KooW");

    Peers peers = new RolesApi(client("qa_engineer")).findPeers("backend_developer", null, 10);
    assertThat(peers.getCount()).isEqualTo(peers.getPeers().size());
    PeerView self =
        peers.getPeers().stream()
            .filter(p -> announced.getPeerId().equals(p.getPeerId()))
            .findFirst()
            .orElseThrow();
    assertThat(self.getVerified()).isTrue();
    assertThat(self.getVerification()).hasToString("proven");
    assertThat(self.getRole()).isEqualTo("backend_developer");
    assertThat(self.getCapabilities()).contains("e2e-client");
    assertThat(new RolesApi(client("qa_engineer")).findPeers(null, "e2e-client", 10).getPeers())
        .extracting(PeerView::getPeerId)
        .contains(announced.getPeerId());

    Backends backends = new BackendsApi(client("qa_engineer")).listBackends();
    assertThat(backends.getActive()).isEqualTo("local"); // the network has no peer yet
    assertThat(backends.getBackends())
        .extracting(BackendHealth::getName)
        .containsExactly("network", "local");
    assertThat(backends.getBackends().get(1))
        .satisfies(
            b -> {
              assertThat(b.getStatus()).isEqualTo("UP");
              assertThat(b.getActive()).isTrue();
            });
  }

  @Test
  void errorsArriveAsTypedProblems() {
    String address = address("devops_engineer", "secrets/runbook.md");
    content("devops_engineer").storeContent(address, text("rotate keys"), null, null);

    ProblemDetail noToken = problem(() -> content(null).getContent(address), 401);
    assertThat(noToken.getType()).hasToString("urn:chorus:problem:unauthorized");
    problem(() -> content("not-a-token").getContent(address), 401);

    ProblemDetail denied = problem(() -> content("qa_engineer").getContent(address), 403);
    assertThat(denied.getType().toString()).endsWith("decrypt-denied");
    assertThat(denied.getDetail()).contains("qa_engineer");

    ProblemDetail absent =
        problem(
            () -> content("devops_engineer").getContent(address("devops_engineer", "nothing")),
            404);
    assertThat(absent.getTitle()).isNotBlank();

    ProblemDetail malformed =
        problem(() -> content("devops_engineer").getContent("ucxl://only-an-agent"), 400);
    assertThat(malformed.getField()).isEqualTo("address");
    assertThat(malformed.getPart()).isNotBlank();
    assertThat(malformed.getReason()).isNotBlank();
    assertThat(malformed.getType()).hasToString("urn:chorus:problem:invalid-address");

    ProblemDetail tooLarge =
        problem(
            () ->
                content("devops_engineer")
                    .storeContent(
                        address("devops_engineer", "big.txt"),
                        text("x".repeat(1024 * 1024 + 1)),
                        null,
                        null),
            413);
    assertThat(tooLarge.getField()).isEqualTo("content");
    assertThat(tooLarge.getLimit()).isEqualTo(1024L * 1024);

    ProblemDetail readOnly =
        problem(
            () ->
                content("read_only_observer")
                    .storeContent(address("read_only_observer", "x.md"), text("x"), null, null),
            403);
    assertThat(readOnly.getType().toString()).endsWith("write-denied");
    assertThat(readOnly.getDetail()).contains("read_only");
  }

  /**
   * Runs a call that must fail with {@code status}; returns its problem+json body as the generated
   * type, after checking the members every problem has.
   */
  private static ProblemDetail problem(Runnable call, int status) {
    HttpClientErrorException e = catchThrowableOfType(HttpClientErrorException.class, call::run);
    assertThat(e).as("expected HTTP %d", status).isNotNull();
    assertThat(e.getStatusCode().value()).isEqualTo(status);
    assertThat(e.getResponseHeaders().getContentType())
        .matches(type -> type.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    ProblemDetail problem = e.getResponseBodyAs(ProblemDetail.class);
    assertThat(problem).isNotNull();
    assertThat(problem.getStatus()).isEqualTo(status);
    assertThat(problem.getType().toString()).startsWith("urn:chorus:problem:");
    assertThat(problem.getDetail()).isNotBlank();
    return problem;
  }
}
