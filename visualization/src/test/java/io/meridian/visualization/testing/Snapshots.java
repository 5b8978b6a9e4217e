package io.meridian.visualization.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;
import org.testfx.api.FxRobot;

/**
 * Writes a node as a PNG under {@code target/snapshots/} so a person can look at what a
 * headless test drew. Snapshots are evidence for people, not assertions.
 */
public final class Snapshots {

  private static final Path DIRECTORY = Path.of("target", "snapshots");

  private Snapshots() {}

  /**
   * Renders {@code node} on the FX thread and writes it as {@code name.png}.
   *
   * @param robot the test's robot, used to run on the FX thread
   * @param node what to render
   * @param name file name without extension
   * @return the written file
   */
  public static Path write(FxRobot robot, Node node, String name) {
    AtomicReference<WritableImage> image = new AtomicReference<>();
    robot.interact(() -> image.set(node.snapshot(null, null)));
    try {
      Files.createDirectories(DIRECTORY);
      Path file = DIRECTORY.resolve(name + ".png");
      ImageIO.write(SwingFXUtils.fromFXImage(image.get(), null), "png", file.toFile());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write snapshot " + name, e);
    }
  }
}
