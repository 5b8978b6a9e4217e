package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;

// Proves that `meridian screenshot` renders the studio for a topology into a PNG of the asked
// size without a display, and writes nothing for a file it cannot read.
class ScreenshotCommandTest {
  @TempDir
  Path temp;

  @BeforeAll
  static void startToolkitTheWayTestFxDoes() throws Exception {
    // JavaFX starts once per test JVM; starting it through TestFX lets the UI tests that run
    // later in the same JVM find it ready.
    FxToolkit.registerPrimaryStage();
  }

  @Test
  void writesAPngOfTheRequestedSize() throws IOException {
    Path png = temp.resolve("pictures/studio.png");

    CliRun run = CliRun.meridian("screenshot", "../samples/global-async.yaml", png.toString(),
        "--width", "900", "--height", "600");

    assertThat(run.status()).isZero();
    assertThat(run.errLines()).containsExactly("wrote " + png + " (900x600)");
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(900);
    assertThat(image.getHeight()).isEqualTo(600);
  }

  @Test
  void unreadableFileWritesNothingAndExitsTwo() {
    Path png = temp.resolve("none.png");

    CliRun run = CliRun.meridian("screenshot", temp.resolve("missing.yaml").toString(),
        png.toString());

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).contains("[file-not-found]", "nothing written");
    assertThat(Files.exists(png)).isFalse();
  }

  @Test
  void absurdSizeIsRefused() {
    CliRun run = CliRun.meridian("screenshot", "../samples/global-async.yaml",
        temp.resolve("x.png").toString(), "--width", "10");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).contains("between 320 and 4096");
  }

  @Test
  void whatIfScreenshotShowsTheFailuresAndATypoIsRefused() throws IOException {
    Path plain = temp.resolve("plain.png");
    Path whatIf = temp.resolve("what-if.png");
    Path typo = temp.resolve("typo.png");

    CliRun plainRun = CliRun.meridian("screenshot", "../samples/quorum-3.yaml", plain.toString());
    CliRun whatIfRun = CliRun.meridian("screenshot", "../samples/quorum-3.yaml",
        whatIf.toString(), "--fail", "oregon,ohio");
    CliRun typoRun = CliRun.meridian("screenshot", "../samples/quorum-3.yaml", typo.toString(),
        "--fail", "orgon");

    assertThat(plainRun.status()).isZero();
    assertThat(whatIfRun.status()).isZero();
    assertThat(differingPixels(ImageIO.read(plain.toFile()), ImageIO.read(whatIf.toFile())))
        .as("the failed regions and the verdicts change the picture").isGreaterThan(1000);
    assertThat(typoRun.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(typoRun.err()).contains("no region 'orgon'", "did you mean 'oregon'?");
    assertThat(Files.exists(typo)).isFalse();
  }

  private static long differingPixels(BufferedImage a, BufferedImage b) {
    long differing = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        if (a.getRGB(x, y) != b.getRGB(x, y)) {
          differing++;
        }
      }
    }
    return differing;
  }
}
