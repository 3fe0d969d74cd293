package org.chorus.dht.backend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.chorus.dht.p2p.crypto.IdentityKey;
import org.chorus.dht.storage.audit.AuditEvent;
import org.chorus.dht.storage.audit.AuditLog;
import org.chorus.dht.storage.audit.AuditLogConfig;
import org.chorus.dht.storage.audit.AuditSigner;

/**
 * Durable-write throughput of {@link LocalDht#putValue} and {@link AuditLog#append} with 1 to 16
 * writer threads: with group commit, throughput grows with the writers while the number of fsyncs
 * stays near what one writer does. Not a test; run:
 *
 * <pre>
 * ./mvnw -q -o test-compile && java -cp \
 *   target/test-classes:target/classes:$(cat target/classpath.txt) \
 *   org.chorus.dht.backend.GroupCommitBenchmark [seconds-per-step] [dir]
 * </pre>
 *
 * The directory (default {@code target/bench}) should be on the disk the node will use, not a
 * tmpfs, or fsync costs nothing.
 */
public final class GroupCommitBenchmark {

  private GroupCommitBenchmark() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    Path base = Path.of(args.length > 1 ? args[1] : "target/bench");
    Files.createDirectories(base);
    byte[] value = new byte[1024];
    System.out.printf(
        "%-10s %7s %10s %10s %8s%n", "store", "threads", "writes/s", "syncs/s", "group");
    for (int threads : new int[] {1, 2, 4, 8, 16}) {
      Path dir = Files.createTempDirectory(base, "dht");
      try (LocalDht dht =
          LocalDht.open(LocalDhtConfig.builder(dir, "bench").build(), Clock.systemUTC())) {
        AtomicLong seq = new AtomicLong();
        double elapsed =
            run(threads, seconds, () -> dht.putValue("/bench/" + seq.incrementAndGet(), value));
        LocalDht.Counters c = dht.counters();
        print("LocalDht", threads, c.puts(), c.syncs(), elapsed);
      }
      Path auditDir = Files.createTempDirectory(base, "audit");
      try (AuditLog log =
          AuditLog.open(
              AuditLogConfig.defaults(auditDir, "bench"),
              AuditSigner.of(IdentityKey.generate()),
              Clock.systemUTC())) {
        AuditEvent event =
            new AuditEvent(
                "alice",
                "backend_developer",
                "ucxl://a/b/c/d/e",
                AuditEvent.STORE,
                AuditEvent.OK,
                1024);
        double elapsed = run(threads, seconds, () -> log.append(event));
        print("AuditLog", threads, log.lines(), log.syncs(), elapsed);
      }
    }
  }

  private static void print(String name, int threads, long writes, long syncs, double elapsed) {
    System.out.printf(
        "%-10s %7d %10.0f %10.0f %8.1f%n",
        name, threads, writes / elapsed, syncs / elapsed, (double) writes / Math.max(1, syncs));
  }

  private static double run(int threads, double seconds, Runnable write)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                while (!stop.get()) {
                  write.run();
                }
              });
      w.start();
      workers.add(w);
    }
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
