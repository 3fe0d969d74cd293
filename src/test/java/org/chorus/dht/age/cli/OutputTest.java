package org.chorus.dht.age.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputTest {

  @TempDir Path dir;

  @Test
  void fileAppearsOnlyOnCommit() throws IOException {
    Path target = dir.resolve("out");

    try (Output out = Output.file(target)) {
      out.stream().write(bytes("hello"));
      out.stream().flush();
      assertThat(target).doesNotExist();
      out.commit();
    }

    assertThat(target).hasContent("hello");
    assertThat(files()).containsExactly("out");
  }

  @Test
  void closeWithoutCommitDeletesTheTemporaryFileAndKeepsTheTarget() throws IOException {
    Path target = Files.writeString(dir.resolve("out"), "old");

    try (Output out = Output.file(target)) {
      out.stream().write(bytes("partial"));
      out.stream().flush();
    }

    assertThat(target).hasContent("old");
    assertThat(files()).containsExactly("out");
  }

  @Test
  void symbolicLinkIsFollowed() throws IOException {
    Path real = Files.writeString(dir.resolve("real"), "old");
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);

    try (Output out = Output.file(link)) {
      out.stream().write(bytes("new"));
      out.commit();
    }

    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(real).hasContent("new");
  }

  @Test
  void missingDirectoryFailsWithTheReason() {
    Path target = dir.resolve("no/such/dir/out");

    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Output.file(target)))
        .isInstanceOf(IOException.class)
        .hasMessage("failed to create output file " + target + ": no such file or directory");
  }

  @Test
  void devicesAndPipesAreWrittenInPlace() {
    assertThat(Output.atomic(Path.of("/dev/null"))).isFalse();
    assertThat(Output.atomic(dir)).isFalse();
    assertThat(Output.atomic(dir.resolve("new"))).isTrue();
  }

  @Test
  void fifoIsWrittenDirectly() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "no mkfifo");
    CompletableFuture<byte[]> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Files.readAllBytes(fifo);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });

    try (Output out = Output.file(fifo)) {
      out.stream().write(bytes("through the pipe"));
      out.commit();
    }

    assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(bytes("through the pipe"));
    assertThat(files()).containsExactly("fifo");
  }

  @Test
  void stdoutIsFlushedButNotClosed() throws IOException {
    ByteArrayOutputStream stdout =
        new ByteArrayOutputStream() {
          @Override
          public void close() {
            throw new AssertionError("stdout closed");
          }
        };

    try (Output out = Output.stdout(stdout)) {
      out.stream().write(bytes("x"));
      out.stream().close();
      out.commit();
    }

    assertThat(stdout.toByteArray()).isEqualTo(bytes("x"));
  }

  private java.util.List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
