package io.meridian.app.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a recorded history as JSON lines in the Jepsen convention, one line per event:
 * {@code {"process":P,"type":"invoke"|"ok"|"fail"|"info","f":"put"|"get"|"cas","key":K,
 * "value":V,"expected":E,"time":NANOS}}. {@code time} is nanoseconds since the recording began
 * (one monotonic clock for every process); {@code value} and {@code expected} are null where they
 * do not apply (a get's invocation, a cas expecting the key absent, a read of an absent key).
 * {@code fail} means the operation certainly had no effect, {@code info} that its outcome is
 * unknown (timeout, connection lost): a checker must allow it to have happened or not.
 */
public final class HistoryRecorder implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The kind of a history event. */
  public enum Type { invoke, ok, fail, info }

  private final BufferedWriter writer;
  private final long startNanos = System.nanoTime();
  private long events;

  /** Records into {@code file}, replacing it. */
  public HistoryRecorder(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  /** Appends one event; safe to call from any thread. */
  public void record(long process, Type type, String f, String key, String value, String expected) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("process", process);
    line.put("type", type.name());
    line.put("f", f);
    line.put("key", key);
    line.put("value", value);
    line.put("expected", expected);
    synchronized (this) {
      line.put("time", System.nanoTime() - startNanos);
      try {
        writer.write(JSON.writeValueAsString(line));
        writer.newLine();
        events++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the history: " + e.getMessage(), e);
      }
    }
  }

  /** Events written so far. */
  public synchronized long events() {
    return events;
  }

  /** Writes what is buffered to the file. */
  public synchronized void flush() throws IOException {
    writer.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    writer.close();
  }
}
