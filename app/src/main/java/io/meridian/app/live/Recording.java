package io.meridian.app.live;

import io.meridian.agent.api.v1.StatusResponse;
import io.meridian.agent.api.v1.WatchEvent;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the live view received over the last {@link #RETENTION_MILLIS}, in arrival order,
 * so an operator can pause, scrub back and replay, and save it to a file to open later.
 *
 * <p>Not thread-safe: the {@link LiveSession}'s merge thread owns it; the view works on copies
 * ({@link #copy()}).
 *
 * <p>File format (version 1): the magic {@code MERIDIAN-LIVE} and a version number, the regions
 * and planned primaries, then one record per input: a kind byte, the receive time, the region
 * and the kind's fields; watch events and status replies as their protobuf bytes. See ADR 0012.
 */
public final class Recording {
  /** How far back a recording reaches: the issue asks for the last 30 minutes. */
  public static final long RETENTION_MILLIS = 30 * 60_000;
  /**
   * Most inputs kept, whatever their age: 50 agents at 2 snapshots a second for 30 minutes,
   * plus status replies and events, with room to spare.
   */
  public static final int ENTRIES_MAX = 600_000;
  /** Largest recording file accepted, so a wrong file cannot exhaust memory. */
  public static final long FILE_BYTES_MAX = 1L << 30;
  /** Largest single protobuf record accepted from a file. */
  static final int RECORD_BYTES_MAX = 4 << 20;

  private static final String MAGIC = "MERIDIAN-LIVE";
  private static final int VERSION = 1;
  private static final byte WATCHED = 1;
  private static final byte STATUS = 2;
  private static final byte CONNECTED = 3;
  private static final byte LOST = 4;
  private static final byte ACTION = 5;

  private final List<String> regions;
  private final Map<String, String> plannedPrimaries;
  private final ArrayDeque<LiveInput> inputs = new ArrayDeque<>();

  /**
   * An empty recording of a deployment.
   *
   * @param regions the watched regions
   * @param plannedPrimaries primary per dataset as deployed
   */
  public Recording(List<String> regions, Map<String, String> plannedPrimaries) {
    this.regions = List.copyOf(regions);
    this.plannedPrimaries = Map.copyOf(plannedPrimaries);
  }

  /** @return the watched regions */
  public List<String> regions() {
    return regions;
  }

  /** @return primary per dataset as deployed */
  public Map<String, String> plannedPrimaries() {
    return plannedPrimaries;
  }

  /**
   * Adds an input and forgets those older than {@link #RETENTION_MILLIS} before it, or beyond
   * {@link #ENTRIES_MAX}.
   */
  public void add(LiveInput input) {
    inputs.addLast(input);
    long horizon = input.receivedAtMillis() - RETENTION_MILLIS;
    while (inputs.size() > ENTRIES_MAX || inputs.peekFirst().receivedAtMillis() < horizon) {
      inputs.removeFirst();
    }
  }

  /** @return how many inputs are kept */
  public int size() {
    return inputs.size();
  }

  /** @return the receive time of the oldest input kept, or 0 when empty */
  public long firstMillis() {
    return inputs.isEmpty() ? 0 : inputs.peekFirst().receivedAtMillis();
  }

  /** @return the receive time of the newest input kept, or 0 when empty */
  public long lastMillis() {
    return inputs.isEmpty() ? 0 : inputs.peekLast().receivedAtMillis();
  }

  /** @return the inputs, oldest first */
  public List<LiveInput> inputs() {
    return List.copyOf(inputs);
  }

  /** @return an independent copy */
  public Recording copy() {
    Recording copy = new Recording(regions, plannedPrimaries);
    copy.inputs.addAll(inputs);
    return copy;
  }

  /** @return a fresh model that knows the recording's regions and planned primaries */
  public LiveModel newModel() {
    return new LiveModel(regions, plannedPrimaries);
  }

  /**
   * The view as it was at {@code atMillis}: every input received up to then, replayed.
   *
   * @param atMillis an instant on the studio's clock
   * @return the state then
   */
  public LiveState stateAt(long atMillis) {
    LiveModel model = newModel();
    for (LiveInput input : inputs) {
      if (input.receivedAtMillis() > atMillis) {
        break;
      }
      model.apply(input);
    }
    return model.state(atMillis);
  }

  // -------------------------------------------------------------------- files

  /**
   * Saves the recording to a file.
   *
   * @param file where to write; replaced when it exists
   * @throws IOException when it cannot be written
   */
  public void save(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream raw = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
      out.writeUTF(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(regions.size());
      for (String region : regions) {
        out.writeUTF(region);
      }
      out.writeInt(plannedPrimaries.size());
      for (Map.Entry<String, String> entry : new java.util.TreeMap<>(plannedPrimaries).entrySet()) {
        out.writeUTF(entry.getKey());
        out.writeUTF(entry.getValue());
      }
      for (LiveInput input : inputs) {
        write(out, input);
      }
    }
  }

  private static void write(DataOutputStream out, LiveInput input) throws IOException {
    if (input instanceof LiveInput.Watched watched) {
      out.writeByte(WATCHED);
      header(out, input);
      bytes(out, watched.event().toByteArray());
    } else if (input instanceof LiveInput.StatusReceived status) {
      out.writeByte(STATUS);
      header(out, input);
      bytes(out, status.status().toByteArray());
    } else if (input instanceof LiveInput.AgentConnected) {
      out.writeByte(CONNECTED);
      header(out, input);
    } else if (input instanceof LiveInput.AgentLost lost) {
      out.writeByte(LOST);
      header(out, input);
      out.writeUTF(lost.reason());
    } else if (input instanceof LiveInput.OperatorAction action) {
      out.writeByte(ACTION);
      header(out, input);
      out.writeUTF(action.action());
      out.writeBoolean(action.succeeded());
      out.writeUTF(action.outcome());
    }
  }

  private static void header(DataOutputStream out, LiveInput input) throws IOException {
    out.writeLong(input.receivedAtMillis());
    out.writeUTF(input.region());
  }

  private static void bytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  /**
   * Opens a saved recording.
   *
   * @param file a file written by {@link #save(Path)}
   * @return the recording
   * @throws IOException when the file cannot be read, or is not a recording (the message says
   *     which and where)
   */
  public static Recording open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such recording file");
    }
    if (Files.size(file) > FILE_BYTES_MAX) {
      throw new IOException(file + ": too large for a recording (" + Files.size(file)
          + " bytes, at most " + FILE_BYTES_MAX + ")");
    }
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
      String magic;
      try {
        magic = in.readUTF();
      } catch (IOException e) {
        magic = "";
      }
      if (!MAGIC.equals(magic)) {
        throw new IOException(file + ": not a Meridian live recording (it does not start with "
            + MAGIC + "); open a file saved from the live view");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(file + ": recording format version " + version
            + " is not supported by this studio (it reads version " + VERSION + ")");
      }
      List<String> regions = new ArrayList<>();
      int regionCount = count(in, file, "regions");
      for (int i = 0; i < regionCount; i++) {
        regions.add(in.readUTF());
      }
      Map<String, String> primaries = new java.util.LinkedHashMap<>();
      int primaryCount = count(in, file, "datasets");
      for (int i = 0; i < primaryCount; i++) {
        primaries.put(in.readUTF(), in.readUTF());
      }
      Recording recording = new Recording(regions, primaries);
      int index = 0;
      while (true) {
        int kind = in.read();
        if (kind < 0) {
          break;
        }
        try {
          recording.inputs.addLast(read(in, (byte) kind, file, index));
        } catch (EOFException e) {
          throw new IOException(file + ": record " + index + " is cut short; the file is "
              + "truncated (the " + index + " records before it are intact)", e);
        }
        index++;
      }
      return recording;
    }
  }

  private static int count(DataInputStream in, Path file, String what) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > 100_000) {
      throw new IOException(file + ": implausible number of " + what + " (" + count
          + "); the file is damaged");
    }
    return count;
  }

  private static LiveInput read(DataInputStream in, byte kind, Path file, int index)
      throws IOException {
    long at = in.readLong();
    String region = in.readUTF();
    return switch (kind) {
      case WATCHED -> new LiveInput.Watched(at, region, WatchEvent.parseFrom(bytes(in, file,
          index)));
      case STATUS -> new LiveInput.StatusReceived(at, region,
          StatusResponse.parseFrom(bytes(in, file, index)));
      case CONNECTED -> new LiveInput.AgentConnected(at, region);
      case LOST -> new LiveInput.AgentLost(at, region, in.readUTF());
      case ACTION -> new LiveInput.OperatorAction(at, region, in.readUTF(), in.readBoolean(),
          in.readUTF());
      default -> throw new IOException(file + ": record " + index + " has unknown kind " + kind
          + "; the file is damaged or from a newer studio");
    };
  }

  private static byte[] bytes(DataInputStream in, Path file, int index) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > RECORD_BYTES_MAX) {
      throw new IOException(file + ": record " + index + " claims " + length
          + " bytes; the file is damaged");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }

  /** For messages: the recording's span. */
  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "%d inputs over %.0f s", inputs.size(),
        (lastMillis() - firstMillis()) / 1000.0);
  }

}
