package io.meridian.app.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.client.HistoryRecorder;
import io.meridian.app.history.LinearizabilityChecker.Operation;
import io.meridian.app.history.LinearizabilityChecker.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the checker tells linearizable register histories from broken ones: it accepts
 * sequential and overlapping histories and unknown outcomes either way, and rejects a stale
 * read, a lost write and two compare-and-sets that both won; histories generated from a
 * linearizable register with random overlaps are all accepted.
 */
class LinearizabilityCheckerTest {
  private static Operation put(long process, String key, String value, long invoke, long ret) {
    return new Operation(process, "put", key, value, null, null, invoke, ret, false);
  }

  private static Operation get(long process, String key, String output, long invoke, long ret) {
    return new Operation(process, "get", key, null, null, output, invoke, ret, false);
  }

  private static Operation cas(long process, String key, String expected, String value, long invoke, long ret) {
    return new Operation(process, "cas", key, value, expected, null, invoke, ret, false);
  }

  private static Operation unknownPut(long process, String key, String value, long invoke) {
    return new Operation(process, "put", key, value, null, null, invoke, Long.MAX_VALUE, true);
  }

  @Test
  void acceptsASequentialHistory() {
    Result result = LinearizabilityChecker.check(List.of(
        get(1, "k", null, 0, 1), put(1, "k", "a", 2, 3), get(2, "k", "a", 4, 5),
        cas(2, "k", "a", "b", 6, 7), get(1, "k", "b", 8, 9)));
    assertThat(result.linearizable()).as(result.describe()).isTrue();
  }

  @Test
  void acceptsAReadOverlappingAWriteSeeingEitherValue() {
    for (String seen : new String[] {"a", "b"}) {
      Result result = LinearizabilityChecker.check(List.of(
          put(1, "k", "a", 0, 1), put(2, "k", "b", 2, 10), get(3, "k", seen, 3, 9)));
      assertThat(result.linearizable()).as(seen + ": " + result.describe()).isTrue();
    }
  }

  @Test
  void rejectsAStaleRead() {
    Result result = LinearizabilityChecker.check(List.of(
        put(1, "k", "a", 0, 1), put(1, "k", "b", 2, 3), get(2, "k", "a", 4, 5)));
    assertThat(result.linearizable()).isFalse();
    assertThat(result.problems()).containsOnlyKeys("k");
  }

  @Test
  void rejectsALostWrite() {
    Result result = LinearizabilityChecker.check(List.of(
        put(1, "k", "a", 0, 1), get(2, "k", null, 2, 3)));
    assertThat(result.linearizable()).isFalse();
  }

  @Test
  void rejectsTwoCompareAndSetsThatBothWon() {
    Result result = LinearizabilityChecker.check(List.of(
        put(1, "k", "free", 0, 1), cas(2, "k", "free", "x", 2, 10), cas(3, "k", "free", "y", 3, 9)));
    assertThat(result.linearizable()).isFalse();
  }

  @Test
  void anUnknownWriteMayHaveHappenedOrNot() {
    assertThat(LinearizabilityChecker.check(List.of(
        put(1, "k", "a", 0, 1), unknownPut(2, "k", "b", 2), get(3, "k", "b", 5, 6), get(3, "k", "b", 7, 8)))
        .linearizable()).isTrue();
    assertThat(LinearizabilityChecker.check(List.of(
        put(1, "k", "a", 0, 1), unknownPut(2, "k", "b", 2), get(3, "k", "a", 5, 6)))
        .linearizable()).isTrue();
    // Once seen it cannot be unseen.
    assertThat(LinearizabilityChecker.check(List.of(
        put(1, "k", "a", 0, 1), unknownPut(2, "k", "b", 2), get(3, "k", "b", 5, 6), get(3, "k", "a", 7, 8)))
        .linearizable()).isFalse();
  }

  @Test
  void aViolationIsReportedOnItsKeyOnly() {
    Result result = LinearizabilityChecker.check(List.of(
        put(1, "good", "a", 0, 1), get(2, "good", "a", 2, 3),
        put(1, "bad", "a", 4, 5), get(2, "bad", null, 6, 7)));
    assertThat(result.problems()).containsOnlyKeys("bad");
    assertThat(result.keysChecked()).isEqualTo(2);
  }

  @Test
  void readsTheRecorderFormatAndDropsFailedOperations(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("history.jsonl");
    try (HistoryRecorder recorder = new HistoryRecorder(file)) {
      recorder.record(0, HistoryRecorder.Type.invoke, "put", "k", "a", null);
      recorder.record(0, HistoryRecorder.Type.ok, "put", "k", "a", null);
      recorder.record(1, HistoryRecorder.Type.invoke, "cas", "k", "z", "nope");
      recorder.record(1, HistoryRecorder.Type.fail, "cas", "k", "z", "nope");
      recorder.record(1, HistoryRecorder.Type.invoke, "get", "k", null, null);
      recorder.record(1, HistoryRecorder.Type.ok, "get", "k", "a", null);
    }
    assertThat(LinearizabilityChecker.parse(file)).hasSize(2);
    assertThat(LinearizabilityChecker.check(file).linearizable()).isTrue();
    assertThat(java.nio.file.Files.readAllLines(file).get(0))
        .matches("\\{\"process\":0,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"k\",\"value\":\"a\","
            + "\"expected\":null,\"time\":\\d+}");
  }

  /** A register applied at random instants inside randomly overlapping operation intervals. */
  @Test
  void acceptsEveryHistoryOfALinearizableRegister() {
    for (long seed = 1; seed <= 200; seed++) {
      Random random = new Random(seed);
      List<Operation> operations = new ArrayList<>();
      String state = null;
      long now = 0;
      for (int i = 0; i < 40; i++) {
        now += 1 + random.nextInt(5);
        long point = now;
        long invoke = point - random.nextInt(20);
        long ret = point + random.nextInt(20);
        int process = i;
        String key = "k" + random.nextInt(2);
        String value = "v" + i;
        switch (random.nextInt(3)) {
          case 0 -> {
            operations.add(get(process, key, key.equals("k0") ? state : null, invoke, ret));
          }
          case 1 -> {
            if (key.equals("k0")) {
              state = value;
            }
            operations.add(put(process, key, value, invoke, ret));
          }
          default -> {
            if (key.equals("k0")) {
              String expected = random.nextBoolean() ? state : "other";
              if (java.util.Objects.equals(expected, state)) {
                state = value;
                operations.add(cas(process, key, expected, value, invoke, ret));
              }
            }
          }
        }
      }
      // Only k0 follows the register; k1 gets reads of null after puts, so keep k0 alone.
      List<Operation> k0 = operations.stream().filter(o -> o.key().equals("k0")).toList();
      Result result = LinearizabilityChecker.check(k0);
      assertThat(result.linearizable()).as("seed " + seed + ": " + result.describe()).isTrue();
    }
  }
}
