package io.meridian.model.format;

import java.nio.file.Path;
import java.util.Locale;

/** The two spellings of a topology file. YAML is the primary one. */
public enum FileFormat {
  YAML,
  JSON;

  /** JSON for {@code .json} files, YAML for everything else. */
  public static FileFormat of(Path file) {
    Path name = file.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
  }
}
