package org.chorus.dht.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.chorus.dht.system.ApiException;
import org.chorus.dht.system.ChorusPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operation whose audit line cannot be written fails with a 503 instead of being acknowledged
 * unaudited: the storage service over a log that takes no more lines (closed, as after a failed
 * write).
 */
class AuditFailureTest {

  private static final ChorusPrincipal QA = new ChorusPrincipal("qa", "qa_engineer", false);
  private static final ChorusPrincipal ADMIN =
      new ChorusPrincipal("root", "senior_architect", true);
  private static final ChorusPrincipal OBSERVER =
      new ChorusPrincipal("obs", "read_only_observer", false);
  private static final String ADDRESS = "ucxl://a/qa_engineer/p/t/audited.txt";

  @TempDir Path dir;
  private StorageFixture fixture;

  @BeforeEach
  void open() throws Exception {
    fixture = new StorageFixture(dir, System::nanoTime);
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void storeRetrieveRefusalAndRawPutAnswer503WhenTheAuditLineCannotBeWritten() {
    fixture.storage.store(QA, ADDRESS, bytes("before"), "text/plain");
    fixture.audit.close();
    assertThat(fixture.audit.writable()).isFalse();

    assertUnavailable(
        () -> fixture.storage.store(QA, ADDRESS, bytes("after"), "text/plain"), "store");
    assertUnavailable(() -> fixture.storage.retrieve(QA, ADDRESS), "retrieve");
    assertUnavailable(
        () -> fixture.storage.store(OBSERVER, ADDRESS, bytes("x"), "text/plain"), "denied");
    assertUnavailable(
        () -> fixture.storage.putRawValue(ADMIN, "/opaque/key", bytes("v")), "put_value");
    assertThat(fixture.metrics.snapshot().auditFailures()).isEqualTo(4);
  }

  private static void assertUnavailable(Runnable call, String operation) {
    ApiException e = catchThrowableOfType(ApiException.class, call::run);
    assertThat(e).as(operation).isNotNull();
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.type()).isEqualTo("audit-unavailable");
    assertThat(e.detail()).contains("this " + operation).contains("not acknowledged");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
