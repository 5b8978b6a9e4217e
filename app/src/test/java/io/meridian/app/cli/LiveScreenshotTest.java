package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.api.v1.LinkCut;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.Snapshot;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.app.live.LiveInput;
import io.meridian.app.live.Recording;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;

// Proves that `meridian screenshot --live` renders a saved live recording without a display, that
// a file that is not a recording or an instant outside it is refused with a reason, and that
// `meridian record` without a deployment says what to do.
class LiveScreenshotTest {
  @TempDir
  Path temp;

  @BeforeAll
  static void startToolkitTheWayTestFxDoes() throws Exception {
    FxToolkit.registerPrimaryStage();
  }

  private Path recording() throws IOException {
    Recording recording = new Recording(List.of("us-east", "eu-central", "ap-southeast"),
        Map.of("orders", "us-east"));
    for (long t = 1_000; t <= 11_000; t += 500) {
      if (t == 6_000) {
        recording.add(new LiveInput.Watched(6_000, "us-east", WatchEvent.newBuilder()
            .setAtMillis(6_000).setRegion("us-east")
            .setLinkCut(LinkCut.newBuilder().setPeerRegion("eu-central")).build()));
      }
      recording.add(new LiveInput.Watched(t, "eu-central", WatchEvent.newBuilder()
          .setAtMillis(t).setRegion("eu-central").setSnapshot(Snapshot.newBuilder()
              .addLinks(PeerLinkStatus.newBuilder().setPeerRegion("us-east").setDataset("orders")
                  .setConnected(true).setLagMillis(t > 6_000 ? t - 6_000 : 80)
                  .setChangesPerSecondIn(100))).build()));
    }
    Path file = temp.resolve("session.mlive");
    recording.save(file);
    return file;
  }

  @Test
  void rendersTheLiveViewOfARecording() throws IOException {
    Path png = temp.resolve("live.png");

    CliRun run = CliRun.meridian("screenshot", "../samples/global-async.yaml", png.toString(),
        "--width", "1000", "--height", "700", "--live", recording().toString(), "--at", "8");

    assertThat(run.status()).as(run.all()).isZero();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1000);
    assertThat(image.getHeight()).isEqualTo(700);
  }

  @Test
  void aFileThatIsNotARecordingOrAnInstantOutsideItIsRefused() throws IOException {
    Path png = temp.resolve("none.png");
    CliRun notRecording = CliRun.meridian("screenshot", "../samples/global-async.yaml",
        png.toString(), "--live", "../samples/global-async.yaml");
    assertThat(notRecording.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(notRecording.err()).contains("not a Meridian live recording");

    CliRun outside = CliRun.meridian("screenshot", "../samples/global-async.yaml",
        png.toString(), "--live", recording().toString(), "--at", "99");
    assertThat(outside.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(outside.err()).contains("--at 99.0 is outside the recording, which lasts 10.0 s");
    assertThat(Files.exists(png)).isFalse();
  }

  @Test
  void recordingWithoutADeploymentSaysWhatToDo() {
    CliRun run = CliRun.meridian("record", "--state-dir", temp.resolve("nothing").toString(),
        temp.resolve("out.mlive").toString());

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.err()).contains("meridian record: no deployment recorded in",
        "deploy first or pass the right --state-dir");
  }
}
