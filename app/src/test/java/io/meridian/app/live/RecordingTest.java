package io.meridian.app.live;

import static io.meridian.app.live.LiveFixtures.cut;
import static io.meridian.app.live.LiveFixtures.link;
import static io.meridian.app.live.LiveFixtures.snapshot;
import static io.meridian.app.live.LiveFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.api.v1.Role;
import io.meridian.app.live.LiveState.FlowKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the operator can scrub back through what was received, save it and open it again with
// the same picture, and that a damaged or foreign file gets a clear message.
class RecordingTest {
  private static final FlowKey TO_EU = new FlowKey("orders", "us-east", "eu-central");

  @TempDir
  Path directory;

  private Recording sample() {
    Recording recording = new Recording(List.of("us-east", "eu-central"),
        Map.of("orders", "us-east"));
    recording.add(new LiveInput.AgentConnected(1_000, "eu-central"));
    recording.add(status(1_000, "us-east", Role.ROLE_PRIMARY, 1));
    recording.add(snapshot(1_500, "eu-central", 1_500, link("us-east", 100, 1, true)));
    recording.add(cut(2_000, "us-east", "eu-central"));
    recording.add(snapshot(2_500, "eu-central", 2_500, link("us-east", 600, 40, true)));
    recording.add(new LiveInput.OperatorAction(2_600, "us-east", "heal link eu-central~us-east",
        false, "region us-east is unreachable"));
    recording.add(new LiveInput.AgentLost(3_000, "us-east", "UNAVAILABLE"));
    return recording;
  }

  @Test
  void scrubbingBackShowsTheViewAsItWasThen() {
    Recording recording = sample();

    assertThat(recording.stateAt(1_600).flows().get(TO_EU).lagMillis()).isEqualTo(100);
    assertThat(recording.stateAt(1_600).faults()).isEmpty();
    assertThat(recording.stateAt(2_700).flows().get(TO_EU).lagMillis()).isEqualTo(600);
    assertThat(recording.stateAt(2_700).faults()).hasSize(1);
  }

  @Test
  void aSavedRecordingOpensWithTheSamePictureAtEveryInstant() throws IOException {
    Recording recording = sample();
    Path file = directory.resolve("session.mlive");
    recording.save(file);

    Recording opened = Recording.open(file);
    assertThat(opened.size()).isEqualTo(recording.size());
    assertThat(opened.regions()).containsExactly("us-east", "eu-central");
    for (long t = 900; t <= 3_100; t += 100) {
      assertThat(opened.stateAt(t)).as("state at %d", t).isEqualTo(recording.stateAt(t));
    }
  }

  @Test
  void inputsOlderThanThirtyMinutesAreForgotten() {
    Recording recording = new Recording(List.of("eu-central"), Map.of("orders", "us-east"));
    for (long t = 0; t <= Recording.RETENTION_MILLIS + 10_000; t += 1_000) {
      recording.add(snapshot(t, "eu-central", t, link("us-east", 1, 0, true)));
    }
    assertThat(recording.firstMillis()).isEqualTo(10_000);
    assertThat(recording.lastMillis()).isEqualTo(Recording.RETENTION_MILLIS + 10_000);
  }

  @Test
  void aFileThatIsNotARecordingIsRefusedWithAReason() throws IOException {
    Path yaml = directory.resolve("topology.yaml");
    Files.writeString(yaml, "apiVersion: meridian/v1\n");

    assertThatThrownBy(() -> Recording.open(yaml)).isInstanceOf(IOException.class)
        .hasMessageContaining("topology.yaml: not a Meridian live recording");
    assertThatThrownBy(() -> Recording.open(directory.resolve("missing.mlive")))
        .hasMessageContaining("no such recording file");
  }

  @Test
  void aTruncatedRecordingSaysWhereItIsCutShort() throws IOException {
    Path file = directory.resolve("session.mlive");
    sample().save(file);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));

    assertThatThrownBy(() -> Recording.open(file)).isInstanceOf(IOException.class)
        .hasMessageContaining("record 6 is cut short");
  }
}
