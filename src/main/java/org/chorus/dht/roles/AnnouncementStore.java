package org.chorus.dht.roles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.chorus.dht.store.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node announced (its role and capabilities) and the sequence number of the last peer
 * record it signed, kept in {@code <data-dir>/announcements.txt} so that a restarted node
 * re-announces the same things with a higher sequence. One entry a line, {@code role <name>},
 * {@code capability <name>} or {@code sequence <n>}; lines starting with {@code #} are comments. A
 * save writes a temporary file, syncs it and moves it into place, so the file is always either the
 * old or the new state. On load, lines that do not parse or exceed the caps are skipped with a
 * warning. Not thread-safe: {@link PeerDiscovery} serialises access.
 */
public final class AnnouncementStore {

  private static final Logger log = LoggerFactory.getLogger(AnnouncementStore.class);

  /** File name inside the data directory. */
  public static final String FILE_NAME = "announcements.txt";

  private final Path file;

  /**
   * The announced state: an optional role, an ordered set of capabilities, and the sequence number
   * of the last peer record signed (0: none yet).
   */
  public record State(Optional<String> role, List<String> capabilities, long sequence) {
    public State {
      capabilities = List.copyOf(capabilities);
      if (sequence < 0) {
        throw new IllegalArgumentException("sequence must not be negative");
      }
    }

    /** A state without a signed record yet. */
    public State(Optional<String> role, List<String> capabilities) {
      this(role, capabilities, 0);
    }

    /** Nothing announced. */
    public static final State EMPTY = new State(Optional.empty(), List.of());

    /** Whether neither a role nor a capability is announced. */
    public boolean isEmpty() {
      return role.isEmpty() && capabilities.isEmpty();
    }

    /** This state with {@code next} as the last sequence number. */
    public State withSequence(long next) {
      return new State(role, capabilities, next);
    }
  }

  public AnnouncementStore(Path dataDir) {
    this.file = dataDir.resolve(FILE_NAME);
  }

  public Path file() {
    return file;
  }

  /** The saved state, {@link State#EMPTY} if nothing was saved. */
  public State load() {
    if (!Files.exists(file)) {
      return State.EMPTY;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + file + ": " + e.getMessage(), e);
    }
    Optional<String> role = Optional.empty();
    Set<String> capabilities = new LinkedHashSet<>();
    long sequence = 0;
    for (String line : lines) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] parts = l.split(" ", 2);
      if (parts.length == 2 && parts[0].equals("sequence") && sequence(parts[1]) >= 0) {
        sequence = sequence(parts[1]);
      } else if (parts.length == 2
          && DiscoveryKeys.isValidName(parts[1])
          && parts[0].equals("role")) {
        role = Optional.of(parts[1]);
      } else if (parts.length == 2
          && DiscoveryKeys.isValidName(parts[1])
          && parts[0].equals("capability")
          && capabilities.size() < PeerDiscovery.MAX_CAPABILITIES) {
        capabilities.add(parts[1]);
      } else {
        log.warn("{}: skipping line '{}'", file, l.length() > 80 ? l.substring(0, 80) + "…" : l);
      }
    }
    return new State(role, new ArrayList<>(capabilities), sequence);
  }

  /** The number {@code text} names, or -1 if it is not a non-negative long. */
  private static long sequence(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Replaces the saved state; durable (synced) when this returns. */
  public void save(State state) {
    StringBuilder text =
        new StringBuilder("# chorus-dht: role and capabilities this node announces\n");
    state.role().ifPresent(r -> text.append("role ").append(r).append('\n'));
    state.capabilities().forEach(c -> text.append("capability ").append(c).append('\n'));
    text.append("sequence ").append(state.sequence()).append('\n');
    try {
      AtomicFiles.replace(file, text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("failed to write " + file + ": " + e.getMessage(), e);
    }
  }
}
