package io.meridian.app.cli;

import io.meridian.app.studio.StudioLauncher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meridian studio [FILE]}: opens the studio window, on a topology file if given. */
@Command(
    name = "studio",
    mixinStandardHelpOptions = true,
    description = "Open the studio window, optionally on a topology file.")
public final class StudioCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "Topology file to open.")
  private Path file;

  @Override
  public Integer call() {
    return StudioLauncher.launch(file, spec.commandLine().getErr());
  }
}
