package io.meridian.model.validation;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.format.LoadedTopology;
import io.meridian.model.format.TopologyFormatException;
import io.meridian.model.format.TopologyReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

/** Loads the rule fixtures under {@code src/test/resources/validation} the way the CLI does. */
final class Fixtures {
  private Fixtures() {}

  /** The path of {@code validation/<name>.yaml} on the test class path. */
  static Path path(String name) {
    URL url = Fixtures.class.getResource("/validation/" + name + ".yaml");
    if (url == null) {
      throw new IllegalArgumentException("no fixture validation/" + name + ".yaml");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fixture read through {@link TopologyReader}; a fixture that does not load is a bug. */
  static LoadedTopology load(String name) {
    try {
      return new TopologyReader().read(path(name));
    } catch (TopologyFormatException e) {
      throw new AssertionError("fixture " + name + " does not load: " + e.getMessage(), e);
    }
  }

  /** The problems the full validator finds in the fixture, with positions. */
  static List<Problem> problems(String name) {
    return new TopologyValidator().validate(load(name));
  }
}
