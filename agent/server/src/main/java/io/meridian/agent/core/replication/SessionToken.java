package io.meridian.agent.core.replication;

import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * A session token (ADR 0021): where one client's writes to one dataset got to, in the terms of the
 * dataset's mode. Every committed write answers with one; a {@code session} read carrying it never
 * returns anything older than the writes it covers. Clients treat the bytes as opaque: keep the
 * newest token per dataset ({@link #merge}) and send it back unchanged.
 *
 * <p>Bytes: format 1, the kind, the dataset name, the position, then a CRC-32 of all before it, so
 * a garbled or truncated token is refused rather than misread.
 *
 * @param dataset the dataset the writes went to; a token is refused by any other dataset
 * @param position where the writes got to
 */
public record SessionToken(String dataset, Position position) {
  /** The encoding's version, the first byte of every token. */
  public static final int FORMAT = 1;
  /** Longest token accepted, in bytes; a multi-primary token grows with the regions (at most a few dozen). */
  public static final int BYTES_MAX = 4096;

  /** Validates presence. */
  public SessionToken {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(position, "position");
    if (dataset.isEmpty()) {
      throw new IllegalArgumentException("a session token names its dataset");
    }
  }

  /** A position in a dataset's history, one kind per replication mode. */
  public sealed interface Position {}

  /**
   * Async and sync: a position in the primary's log. Epochs never decrease along a log, so a
   * replica that applied {@code sequence} at an epoch at least {@code epoch} holds the write.
   */
  public record LogPosition(long epoch, long sequence) implements Position {
    /** Validates ranges. */
    public LogPosition {
      if (epoch < 1 || sequence < 1) {
        throw new IllegalArgumentException("a log position has epoch and sequence of at least 1, was "
            + epoch + "/" + sequence);
      }
    }
  }

  /**
   * Multi-primary: per origin region, the last sequence of that region's log the session wrote or
   * read. A replica that applied at least as far in every origin's log holds everything covered.
   */
  public record OriginSequences(Map<String, Long> sequences) implements Position {
    /** Copies, sorted by region. */
    public OriginSequences {
      if (sequences.isEmpty()) {
        throw new IllegalArgumentException("a multi-primary position names at least one origin");
      }
      sequences = java.util.Collections.unmodifiableMap(new TreeMap<>(sequences));
      sequences.values().forEach(s -> {
        if (s < 1) {
          throw new IllegalArgumentException("sequences start at 1, was " + s);
        }
      });
    }
  }

  /**
   * Quorum: the hybrid logical clock reading of the newest write the session made, and the fewest
   * replicas any of the session's writes was acknowledged by (its per-request W). A session read
   * asks N − {@code writeReplicasMin} + 1 replicas, which overlaps every one of those writes (ADR 0030).
   *
   * @param writeReplicasMin the smallest W among the covered writes; 0 when unknown (a token of an
   *     agent before ADR 0030), read as the dataset's W
   */
  public record ClockPosition(long physicalMillis, int logical, int writeReplicasMin) implements Position {
    /** Validates ranges. */
    public ClockPosition {
      if (physicalMillis < 0 || logical < 0 || writeReplicasMin < 0) {
        throw new IllegalArgumentException("a clock position is not negative");
      }
    }

    /** A position whose writes' replica count is unknown (the dataset's W is assumed). */
    public ClockPosition(long physicalMillis, int logical) {
      this(physicalMillis, logical, 0);
    }
  }

  /** Consensus: the Raft log index of the newest write the session made. */
  public record RaftIndex(long index) implements Position {
    /** Validates range. */
    public RaftIndex {
      if (index < 0) {
        throw new IllegalArgumentException("a Raft index is not negative, was " + index);
      }
    }
  }

  /**
   * The token a committed write of {@code dataset} answers with, in the terms of {@code mode}.
   *
   * @param version the committed write's version (for consensus, its sequence is the Raft state
   *     machine's applied-write index)
   */
  public static SessionToken forWrite(String dataset, io.meridian.agent.config.ReplicationMode mode,
      io.meridian.agent.core.storage.Version version) {
    return forWrite(dataset, mode, version, 0);
  }

  /**
   * As {@link #forWrite(String, io.meridian.agent.config.ReplicationMode, io.meridian.agent.core.storage.Version)},
   * for a quorum write acknowledged by {@code writeReplicas} replicas (its W; 0 if unknown).
   */
  public static SessionToken forWrite(String dataset, io.meridian.agent.config.ReplicationMode mode,
      io.meridian.agent.core.storage.Version version, int writeReplicas) {
    if (mode == io.meridian.agent.config.ReplicationMode.QUORUM) {
      return new SessionToken(dataset, new ClockPosition(version.timestamp().physicalMillis(),
          version.timestamp().logical(), writeReplicas));
    }
    return switch (mode) {
      case ASYNC, SYNC -> new SessionToken(dataset, new LogPosition(version.epoch(), version.sequence()));
      case MULTI_PRIMARY -> new SessionToken(dataset,
          new OriginSequences(Map.of(version.committedBy(), version.sequence())));
      case QUORUM -> new SessionToken(dataset,
          new ClockPosition(version.timestamp().physicalMillis(), version.timestamp().logical()));
      case CONSENSUS -> new SessionToken(dataset, new RaftIndex(version.sequence()));
    };
  }

  /**
   * The token in {@code bytes} if it belongs to {@code dataset}, else an exception saying why not.
   *
   * @throws IllegalArgumentException for a garbled token or one of another dataset
   */
  public static SessionToken forDataset(String dataset, byte[] bytes) {
    SessionToken token = fromBytes(bytes);
    if (!token.dataset().equals(dataset)) {
      throw new IllegalArgumentException("the session token belongs to dataset " + token.dataset() + ", not "
          + dataset + "; pass the token a write to " + dataset + " returned");
    }
    return token;
  }

  /**
   * The newer of this token and {@code other} (same dataset, same kind); for multi-primary, the
   * per-origin maximum. A client keeps the merge of every token it was given.
   */
  public SessionToken merge(SessionToken other) {
    if (!other.dataset.equals(dataset) || other.position.getClass() != position.getClass()) {
      throw new IllegalArgumentException("tokens of different datasets or modes do not merge");
    }
    if (position instanceof LogPosition a) {
      LogPosition b = (LogPosition) other.position;
      boolean newer = b.epoch() > a.epoch() || (b.epoch() == a.epoch() && b.sequence() > a.sequence());
      return newer ? other : this;
    } else if (position instanceof OriginSequences a) {
      Map<String, Long> merged = new TreeMap<>(a.sequences());
      ((OriginSequences) other.position).sequences().forEach((k, v) -> merged.merge(k, v, Math::max));
      return new SessionToken(dataset, new OriginSequences(merged));
    } else if (position instanceof ClockPosition a) {
      ClockPosition b = (ClockPosition) other.position;
      boolean newer = b.physicalMillis() > a.physicalMillis()
          || (b.physicalMillis() == a.physicalMillis() && b.logical() > a.logical());
      ClockPosition clock = newer ? b : a;
      // The fewest replicas any covered write reached: a read must overlap the weakest of them. An
      // unknown count (0) stays unknown only if both are.
      int writeReplicasMin = a.writeReplicasMin() == 0 ? b.writeReplicasMin()
          : b.writeReplicasMin() == 0 ? a.writeReplicasMin() : Math.min(a.writeReplicasMin(), b.writeReplicasMin());
      return new SessionToken(dataset, new ClockPosition(clock.physicalMillis(), clock.logical(), writeReplicasMin));
    } else {
      return ((RaftIndex) other.position).index() > ((RaftIndex) position).index() ? other : this;
    }
  }

  /** The token's bytes, as clients carry them. */
  public byte[] toBytes() {
    byte[] name = dataset.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(BYTES_MAX);
    buffer.put((byte) FORMAT);
    if (position instanceof LogPosition p) {
      buffer.put((byte) 1);
      putString(buffer, name);
      buffer.putLong(p.epoch()).putLong(p.sequence());
    } else if (position instanceof OriginSequences p) {
      buffer.put((byte) 2);
      putString(buffer, name);
      buffer.putShort((short) p.sequences().size());
      p.sequences().forEach((region, sequence) -> {
        putString(buffer, region.getBytes(StandardCharsets.UTF_8));
        buffer.putLong(sequence);
      });
    } else if (position instanceof ClockPosition p && p.writeReplicasMin() == 0) {
      buffer.put((byte) 3);
      putString(buffer, name);
      buffer.putLong(p.physicalMillis()).putInt(p.logical());
    } else if (position instanceof ClockPosition p) {
      buffer.put((byte) 5);
      putString(buffer, name);
      buffer.putLong(p.physicalMillis()).putInt(p.logical()).putShort((short) p.writeReplicasMin());
    } else {
      buffer.put((byte) 4);
      putString(buffer, name);
      buffer.putLong(((RaftIndex) position).index());
    }
    CRC32 crc = new CRC32();
    crc.update(buffer.array(), 0, buffer.position());
    buffer.putInt((int) crc.getValue());
    return java.util.Arrays.copyOf(buffer.array(), buffer.position());
  }

  /**
   * The token in {@code bytes}, or an exception whose message says what is wrong with it.
   *
   * @throws IllegalArgumentException if the bytes are not a token this agent version wrote
   */
  public static SessionToken fromBytes(byte[] bytes) {
    if (bytes.length < 8 || bytes.length > BYTES_MAX) {
      throw new IllegalArgumentException("a session token is 8 to " + BYTES_MAX + " bytes, this one is "
          + bytes.length);
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (buffer.getInt(bytes.length - 4) != (int) crc.getValue()) {
      throw new IllegalArgumentException("the session token is damaged (checksum mismatch)");
    }
    try {
      int format = buffer.get();
      if (format != FORMAT) {
        throw new IllegalArgumentException("session token format " + format + " is unknown here (this agent"
            + " reads format " + FORMAT + ")");
      }
      int kind = buffer.get();
      String dataset = getString(buffer);
      Position position;
      switch (kind) {
        case 1 -> position = new LogPosition(buffer.getLong(), buffer.getLong());
        case 2 -> {
          int count = buffer.getShort();
          Map<String, Long> sequences = new TreeMap<>();
          for (int i = 0; i < count; i++) {
            sequences.put(getString(buffer), buffer.getLong());
          }
          position = new OriginSequences(sequences);
        }
        case 3 -> position = new ClockPosition(buffer.getLong(), buffer.getInt());
        case 4 -> position = new RaftIndex(buffer.getLong());
        case 5 -> position = new ClockPosition(buffer.getLong(), buffer.getInt(), buffer.getShort() & 0xFFFF);
        default -> throw new IllegalArgumentException("unknown session token kind " + kind);
      }
      if (buffer.position() != bytes.length - 4) {
        throw new IllegalArgumentException("the session token has " + (bytes.length - 4 - buffer.position())
            + " unexpected bytes");
      }
      return new SessionToken(dataset, position);
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("the session token is truncated");
    }
  }

  private static void putString(ByteBuffer buffer, byte[] text) {
    buffer.putShort((short) text.length).put(text);
  }

  private static String getString(ByteBuffer buffer) {
    int length = buffer.getShort() & 0xFFFF;
    if (length > buffer.remaining()) {
      throw new IllegalArgumentException("the session token is truncated");
    }
    byte[] text = new byte[length];
    buffer.get(text);
    return new String(text, StandardCharsets.UTF_8);
  }
}
