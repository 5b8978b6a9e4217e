package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.storage.Change;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

// Proves the protocol step by step against scripted scenarios with golden output, in the manner
// of etcd raft's testdata: each file under src/test/resources/scenarios is a story whose every
// command's output must match; -Dscenario.rewrite=true rewrites the expected output.
class ScenarioTest {

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException, URISyntaxException {
    Path directory = Path.of(getClass().getResource("/scenarios").toURI());
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files = listing.filter(path -> path.toString().endsWith(".txt")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> run(file)));
  }

  private static void run(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    StringBuilder actual = new StringBuilder();
    StringBuilder expected = new StringBuilder();
    Interpreter interpreter = new Interpreter();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      if (!line.startsWith("> ")) {
        actual.append(line).append('\n');
        expected.append(line).append('\n');
        i++;
        continue;
      }
      actual.append(line).append('\n');
      expected.append(line).append('\n');
      i++;
      while (i < lines.size() && !lines.get(i).startsWith("> ") && !lines.get(i).isEmpty()) {
        expected.append(lines.get(i)).append('\n');
        i++;
      }
      for (String output : interpreter.execute(line.substring(2).trim())) {
        actual.append(output).append('\n');
      }
    }
    if (Boolean.getBoolean("scenario.rewrite")) {
      Path source = Path.of("src/test/resources/scenarios").resolve(file.getFileName());
      Files.writeString(source, actual.toString());
      return;
    }
    assertThat(actual.toString()).as("scenario " + file.getFileName()).isEqualTo(expected.toString());
  }

  /** Runs one scenario's commands against a {@link TestCluster}. */
  private static final class Interpreter {
    private TestCluster cluster;
    private int responsesShown;

    List<String> execute(String command) {
      String[] words = command.split("\\s+");
      List<String> out = new ArrayList<>();
      int queuedBefore = cluster == null ? 0 : cluster.queue.size();
      switch (words[0]) {
        case "cluster": {
          ReplicationMode mode = ReplicationMode.valueOf(words[1].toUpperCase(java.util.Locale.ROOT));
          int acks = Integer.parseInt(words[2]);
          int batch = Integer.parseInt(words[3]);
          int window = Integer.parseInt(words[4]);
          String[] regions = java.util.Arrays.copyOfRange(words, 5, words.length);
          cluster = TestCluster.of(mode, acks, TestCluster.bounds(batch, 0, window), regions);
          queuedBefore = 0;
          break;
        }
        case "connect":
          cluster.connect(words[1], words[2]);
          break;
        case "disconnect":
          cluster.disconnect(words[1], words[2]);
          break;
        case "put":
          cluster.put(words[1], words[2], words[3]);
          break;
        case "tick":
          cluster.tick(Long.parseLong(words[1]));
          break;
        case "deliver": {
          // deliver FROM TO [TYPE]: one message each time, oldest first, printing what it caused.
          String type = words.length > 3 ? words[3] : null;
          TestCluster.Envelope next = cluster.queue.stream()
              .filter(e -> e.from().equals(words[1]) && e.to().equals(words[2]))
              .filter(e -> type == null || e.message().getClass().getSimpleName().equals(type))
              .findFirst().orElse(null);
          if (next == null) {
            out.add("nothing to deliver");
            break;
          }
          // Delivering removes the message; what it causes is appended after the rest.
          queuedBefore = cluster.queue.size() - 1;
          out.add("delivered " + describe(next));
          cluster.deliver(next);
          break;
        }
        case "drop": {
          String type = words[3];
          int before = cluster.queue.size();
          cluster.drop(e -> e.from().equals(words[1]) && e.to().equals(words[2])
              && e.message().getClass().getSimpleName().equals(type));
          out.add("dropped " + (before - cluster.queue.size()));
          queuedBefore = cluster.queue.size();
          break;
        }
        case "stabilize":
          cluster.deliverAll();
          out.add("quiet");
          queuedBefore = 0;
          break;
        case "log":
          for (Change change : cluster.stores.get(words[1]).log(TestCluster.DATASET)) {
            out.add(change.sequence() + " " + change.kind() + " " + change.key() + "=" + change.value()
                + " origin=" + change.version().originRegion() + " epoch=" + change.version().epoch());
          }
          if (out.isEmpty()) {
            out.add("empty");
          }
          break;
        case "decide":
          // decide EPOCH PRIMARY START stopped|unconfirmed REGION...: a committed failover decision.
          cluster.decide(Long.parseLong(words[1]), words[2], Long.parseLong(words[3]), words[4].equals("stopped"),
              java.util.Arrays.copyOfRange(words, 5, words.length));
          break;
        case "switchover":
          cluster.apply(words[1], cluster.nodes.get(words[1]).step(cluster.nowMillis,
              new Input.SwitchoverRequested(TestCluster.DATASET, words[2], Long.parseLong(words[3]))));
          break;
        case "quarantine":
          cluster.nodes.get(words[1]).quarantined(TestCluster.DATASET).forEach((epoch, changes) -> {
            for (Change change : changes) {
              out.add("epoch " + epoch + ": " + change.sequence() + " " + change.kind() + " " + change.key() + "="
                  + change.value() + " committed in epoch " + change.version().epoch());
            }
          });
          if (out.isEmpty()) {
            out.add("empty");
          }
          break;
        case "status":
          for (PeerLinkStatus link : cluster.nodes.get(words[1]).status(cluster.nowMillis).get(0).peers()) {
            out.add(words[1] + "~" + link.peer() + " connected=" + link.connected() + " lagVersions="
                + link.lagVersions() + " lagMillis=" + link.lagMillis() + " pending=" + link.pendingChanges());
          }
          break;
        default:
          throw new IllegalArgumentException("unknown scenario command: " + command);
      }
      for (int i = queuedBefore; i < cluster.queue.size(); i++) {
        out.add("  send " + describe(cluster.queue.get(i)));
      }
      for (; responsesShown < cluster.responses.size(); responsesShown++) {
        out.add("  answer " + cluster.responses.get(responsesShown).result());
      }
      while (!cluster.events.isEmpty()) {
        out.add("  event " + cluster.events.remove(0));
      }
      return out;
    }

    private static String describe(TestCluster.Envelope envelope) {
      PeerMessage message = envelope.message();
      String text;
      if (message instanceof PeerMessage.ChangeBatch) {
        PeerMessage.ChangeBatch batch = (PeerMessage.ChangeBatch) message;
        text = "ChangeBatch " + batch.firstSequence() + ".." + batch.lastSequence() + " head=" + batch.headSequence()
            + " epoch=" + batch.epoch();
      } else {
        text = message.toString().replace("dataset=" + TestCluster.DATASET + ", ", "");
      }
      return envelope.from() + "->" + envelope.to() + " " + text;
    }
  }
}
