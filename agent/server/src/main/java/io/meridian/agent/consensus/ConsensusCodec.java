package io.meridian.agent.consensus;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bytes of consensus log entries, replies and queries. A log entry is one batch of writes a
 * client sent to one agent: {@code committedBy, origin, originMillis, count, op*}; the leader
 * writes {@code committedBy} when it accepts the entry, so every member stores the same version.
 */
final class ConsensusCodec {
  static final byte PUT = 1;
  static final byte DELETE = 2;
  static final byte CAS = 3;
  static final byte COMMITTED = 1;
  static final byte COMPARE_FAILED = 2;

  private ConsensusCodec() {}

  /** A batch as the origin agent sends it (no committing region yet). */
  static byte[] encodeBatch(String origin, long originMillis, List<ClientOperation> operations) {
    return write(out -> {
      out.writeUTF(origin);
      out.writeLong(originMillis);
      out.writeInt(operations.size());
      for (ClientOperation operation : operations) {
        if (operation instanceof ClientOperation.Put put) {
          out.writeByte(PUT);
          bytes(out, put.key());
          bytes(out, put.value());
        } else if (operation instanceof ClientOperation.Delete delete) {
          out.writeByte(DELETE);
          bytes(out, delete.key());
        } else if (operation instanceof ClientOperation.CompareAndSet cas) {
          out.writeByte(CAS);
          bytes(out, cas.key());
          bytes(out, cas.newValue());
          out.writeBoolean(cas.expected().isPresent());
          if (cas.expected().isPresent()) {
            bytes(out, cas.expected().get());
          }
        } else {
          throw new IllegalArgumentException("not a consensus write: " + operation);
        }
      }
    });
  }

  /** A decoded log entry. */
  record Batch(String committedBy, String origin, long originMillis, List<ClientOperation> operations) {}

  /** The log entry: the leader's region in front of the origin's batch. */
  static byte[] withCommitter(String committedBy, byte[] batch) {
    return write(out -> {
      out.writeUTF(committedBy);
      out.write(batch);
    });
  }

  static Batch decodeEntry(byte[] entry) {
    return read(entry, in -> {
      String committedBy = in.readUTF();
      String origin = in.readUTF();
      long originMillis = in.readLong();
      int count = in.readInt();
      check(count >= 0 && count <= 1_000_000, "a consensus entry claims " + count + " operations");
      List<ClientOperation> operations = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte kind = in.readByte();
        switch (kind) {
          case PUT -> operations.add(new ClientOperation.Put(bytes(in), bytes(in)));
          case DELETE -> operations.add(new ClientOperation.Delete(bytes(in)));
          case CAS -> {
            Bytes key = bytes(in);
            Bytes newValue = bytes(in);
            Optional<Bytes> expected = in.readBoolean() ? Optional.of(bytes(in)) : Optional.empty();
            operations.add(new ClientOperation.CompareAndSet(key, expected, newValue));
          }
          default -> throw new IOException("unknown consensus operation kind " + kind);
        }
      }
      return new Batch(committedBy, origin, originMillis, operations);
    });
  }

  /** Results of a batch, one per operation, in order. */
  static byte[] encodeResults(List<ClientResult> results) {
    return write(out -> {
      out.writeInt(results.size());
      for (ClientResult result : results) {
        if (result instanceof ClientResult.Committed committed) {
          out.writeByte(COMMITTED);
          out.writeBoolean(committed.existedBefore());
          version(out, committed.version());
        } else {
          ClientResult.CompareFailed failed = (ClientResult.CompareFailed) result;
          out.writeByte(COMPARE_FAILED);
          value(out, failed.current());
        }
      }
    });
  }

  static List<ClientResult> decodeResults(byte[] data) {
    return read(data, in -> {
      int count = in.readInt();
      List<ClientResult> results = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte kind = in.readByte();
        if (kind == COMMITTED) {
          boolean existed = in.readBoolean();
          results.add(new ClientResult.Committed(version(in), existed));
        } else {
          results.add(new ClientResult.CompareFailed(value(in)));
        }
      }
      return results;
    });
  }

  /** A read query: the key. */
  static byte[] encodeQuery(Bytes key) {
    return key.toByteArray();
  }

  /** A read answer: the live value, if any. */
  static byte[] encodeValue(Optional<StoredValue> value) {
    return write(out -> value(out, value));
  }

  static Optional<StoredValue> decodeValue(byte[] data) {
    return read(data, ConsensusCodec::value);
  }

  static void value(DataOutputStream out, Optional<StoredValue> value) throws IOException {
    out.writeBoolean(value.isPresent());
    if (value.isPresent()) {
      bytes(out, value.get().value());
      version(out, value.get().version());
    }
  }

  static Optional<StoredValue> value(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return Optional.empty();
    }
    Bytes value = bytes(in);
    return Optional.of(new StoredValue(value, version(in), false));
  }

  static void version(DataOutputStream out, Version version) throws IOException {
    out.writeLong(version.timestamp().pack());
    out.writeUTF(version.originRegion());
    out.writeLong(version.sequence());
    out.writeUTF(version.committedBy());
    out.writeLong(version.epoch());
  }

  static Version version(DataInputStream in) throws IOException {
    HlcTimestamp timestamp = HlcTimestamp.unpack(in.readLong());
    String origin = in.readUTF();
    long sequence = in.readLong();
    String committedBy = in.readUTF();
    long epoch = in.readLong();
    return new Version(timestamp, origin, sequence, committedBy, epoch);
  }

  static void bytes(DataOutputStream out, Bytes bytes) throws IOException {
    out.writeInt(bytes.size());
    out.write(bytes.toByteArray());
  }

  static Bytes bytes(DataInputStream in) throws IOException {
    int size = in.readInt();
    check(size >= 0 && size <= 64 << 20, "a consensus value claims " + size + " bytes");
    return Bytes.copyOf(in.readNBytes(size));
  }

  private static void check(boolean condition, String problem) throws IOException {
    if (!condition) {
      throw new IOException(problem);
    }
  }

  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  static byte[] write(Writer writer) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  static <T> T read(byte[] data, Reader<T> reader) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      return reader.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("malformed consensus data: " + e.getMessage(), e);
    }
  }
}
