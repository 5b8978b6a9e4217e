package io.meridian.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Reports the version Maven stamped into {@code version.properties} at build time. */
public final class MeridianVersion implements IVersionProvider {

  /** The project version, or {@code unknown} when run from classes that were not built by Maven. */
  public static String version() {
    Properties properties = new Properties();
    try (InputStream in = MeridianVersion.class.getResourceAsStream(
        "/io/meridian/app/version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return properties.getProperty("version", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {
        "meridian " + version(),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
            + ")"};
  }
}
