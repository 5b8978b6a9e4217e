package io.meridian.app.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a recorded history (the JSON lines {@code meridian load --history} writes) for
 * linearizability against a register per key with put, get and compare-and-set: the
 * Wing–Gong search with Lowe's memoisation of (linearized operations, register state), as in
 * Porcupine, run on each key alone (linearizability is local, so a history is linearizable iff
 * every key's sub-history is).
 *
 * <p>{@code fail} operations had no effect and are dropped. {@code info} operations (outcome
 * unknown) never return: each may take effect at any time after its invocation, or never.
 * Every search is bounded by {@link #CONFIGURATIONS_MAX}; beyond it the key is reported unknown,
 * never silently accepted.
 */
public final class LinearizabilityChecker {
  /** Most (operations, state) configurations explored per key before giving up. */
  public static final int CONFIGURATIONS_MAX = 2_000_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private LinearizabilityChecker() {}

  /** One completed or unknown operation. {@code output} is a get's result (null: absent). */
  public record Operation(long process, String f, String key, String value, String expected, String output,
      long invokeNanos, long returnNanos, boolean unknown) {
    @Override
    public String toString() {
      String what = switch (f) {
        case "get" -> "get -> " + output;
        case "put" -> "put " + value;
        default -> "cas " + expected + " -> " + value;
      };
      return "process " + process + " " + what + " [" + invokeNanos + ", "
          + (unknown ? "unknown" : Long.toString(returnNanos)) + "]";
    }
  }

  /** The verdict for a whole history. */
  public record Result(boolean linearizable, int keysChecked, int operations, Map<String, String> problems) {
    /** A one-paragraph account for a failed assertion. */
    public String describe() {
      return linearizable ? "linearizable: " + operations + " operations on " + keysChecked + " keys"
          : "NOT linearizable: " + problems;
    }
  }

  /** Reads and checks a history file. */
  public static Result check(Path history) {
    return check(parse(history));
  }

  /** Pairs the invocations and completions of a JSON-lines history into operations. */
  public static List<Operation> parse(Path history) {
    try {
      return parse(Files.readAllLines(history));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read history " + history + ": " + e.getMessage(), e);
    }
  }

  /** Pairs the invocations and completions of JSON lines into operations. */
  public static List<Operation> parse(List<String> lines) {
    Map<Long, JsonNode> pending = new HashMap<>();
    List<Operation> operations = new ArrayList<>();
    long lastTime = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      JsonNode event;
      try {
        event = JSON.readTree(line);
      } catch (IOException e) {
        throw new IllegalArgumentException("history line " + (i + 1) + " is not JSON: " + e.getMessage(), e);
      }
      long process = event.path("process").asLong();
      String type = event.path("type").asText();
      long time = event.path("time").asLong();
      lastTime = Math.max(lastTime, time);
      if (type.equals("invoke")) {
        if (pending.put(process, event) != null) {
          throw new IllegalArgumentException("history line " + (i + 1) + ": process " + process
              + " invokes again before its previous operation completed");
        }
        continue;
      }
      JsonNode invoke = pending.remove(process);
      if (invoke == null) {
        throw new IllegalArgumentException("history line " + (i + 1) + ": process " + process
            + " completes an operation it never invoked");
      }
      String f = invoke.path("f").asText();
      if (type.equals("fail")) {
        continue; // Certainly no effect.
      }
      boolean unknown = type.equals("info");
      if (unknown && f.equals("get")) {
        continue; // A read of unknown outcome constrains nothing.
      }
      operations.add(new Operation(process, f, text(invoke, "key"), text(invoke, "value"),
          text(invoke, "expected"), f.equals("get") ? text(event, "value") : null,
          invoke.path("time").asLong(), unknown ? Long.MAX_VALUE : time, unknown));
    }
    for (JsonNode invoke : pending.values()) { // Never completed: the outcome is unknown.
      String f = invoke.path("f").asText();
      if (!f.equals("get")) {
        operations.add(new Operation(invoke.path("process").asLong(), f, text(invoke, "key"),
            text(invoke, "value"), text(invoke, "expected"), null, invoke.path("time").asLong(),
            Long.MAX_VALUE, true));
      }
    }
    return operations;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** Checks operations, key by key. */
  public static Result check(List<Operation> operations) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (Operation operation : operations) {
      byKey.computeIfAbsent(operation.key(), k -> new ArrayList<>()).add(operation);
    }
    Map<String, String> problems = new LinkedHashMap<>();
    for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
      checkKey(entry.getValue()).ifPresent(problem -> problems.put(entry.getKey(), problem));
    }
    return new Result(problems.isEmpty(), byKey.size(), operations.size(), problems);
  }

  /** An event of the search's list: an operation's call or its return. */
  private static final class Entry {
    final int id;
    final boolean call;
    final long time;
    final Operation operation;
    Entry match;
    Entry previous;
    Entry next;

    Entry(int id, boolean call, long time, Operation operation) {
      this.id = id;
      this.call = call;
      this.time = time;
      this.operation = operation;
    }
  }

  private record Frame(Entry entry, String state, int alternative) {}

  private record Configuration(BitSet linearized, String state) {}

  /** Empty when the key's operations linearize; otherwise why not. */
  static Optional<String> checkKey(List<Operation> operations) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < operations.size(); i++) {
      Operation operation = operations.get(i);
      Entry call = new Entry(i, true, operation.invokeNanos(), operation);
      Entry ret = new Entry(i, false, operation.returnNanos(), operation);
      call.match = ret;
      entries.add(call);
      entries.add(ret);
    }
    // Calls before returns at equal times: operations that touch in time count as concurrent.
    entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> !e.call));
    Entry head = new Entry(-1, false, Long.MIN_VALUE, null);
    Entry last = head;
    for (Entry entry : entries) {
      last.next = entry;
      entry.previous = last;
      last = entry;
    }
    BitSet linearized = new BitSet(operations.size());
    Set<Configuration> seen = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    String state = null;
    Entry entry = head.next;
    int alternative = 0;
    int deepest = 0;
    Operation stuckAt = null;
    while (head.next != null) {
      if (seen.size() > CONFIGURATIONS_MAX) {
        return Optional.of("unknown: the search passed " + CONFIGURATIONS_MAX + " configurations over "
            + operations.size() + " operations; record fewer operations per key");
      }
      if (entry.call) {
        List<String> next = step(state, entry.operation);
        boolean moved = false;
        for (int a = alternative; a < next.size(); a++) {
          BitSet candidate = (BitSet) linearized.clone();
          candidate.set(entry.id);
          if (seen.add(new Configuration(candidate, next.get(a)))) {
            stack.push(new Frame(entry, state, a));
            state = next.get(a);
            linearized.set(entry.id);
            lift(entry);
            entry = head.next;
            moved = true;
            break;
          }
        }
        alternative = 0;
        if (!moved) {
          entry = entry.next;
        }
      } else {
        if (stack.size() >= deepest) {
          deepest = stack.size();
          stuckAt = entry.operation;
        }
        if (stack.isEmpty()) {
          return Optional.of(operations.size() + " operations have no linearization; the search got no further"
              + " than " + deepest + " of them, stuck before " + stuckAt + " returned");
        }
        Frame frame = stack.pop();
        state = frame.state();
        linearized.clear(frame.entry().id);
        unlift(frame.entry());
        entry = frame.entry();
        alternative = frame.alternative() + 1;
      }
    }
    return Optional.empty();
  }

  /**
   * The register states {@code operation} may leave {@code state} in; empty when it cannot
   * take effect in that state. An unknown-outcome write may also have had no effect.
   */
  private static List<String> step(String state, Operation operation) {
    List<String> next = new ArrayList<>(2);
    switch (operation.f()) {
      case "get" -> {
        if (Objects.equals(state, operation.output())) {
          next.add(state);
        }
      }
      case "put" -> next.add(operation.value());
      case "cas" -> {
        if (Objects.equals(state, operation.expected())) {
          next.add(operation.value());
        }
      }
      default -> throw new IllegalArgumentException("unknown operation " + operation.f());
    }
    if (operation.unknown() && !next.contains(state)) {
      next.add(state);
    }
    return next;
  }

  private static void lift(Entry call) {
    call.previous.next = call.next;
    if (call.next != null) {
      call.next.previous = call.previous;
    }
    Entry ret = call.match;
    ret.previous.next = ret.next;
    if (ret.next != null) {
      ret.next.previous = ret.previous;
    }
  }

  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.previous.next = ret;
    if (ret.next != null) {
      ret.next.previous = ret;
    }
    call.previous.next = call;
    if (call.next != null) {
      call.next.previous = call;
    }
  }
}
