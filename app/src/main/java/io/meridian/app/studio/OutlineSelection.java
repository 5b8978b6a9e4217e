package io.meridian.app.studio;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An entry of the studio's outline: a section and a position in it.
 *
 * @param section regions, links or datasets
 * @param index position in file order, from 0
 */
public record OutlineSelection(Section section, int index) {
  private static final Pattern ELEMENT =
      Pattern.compile("^/(regions|links|datasets)/(\\d{1,9})(/.*)?$");

  /** The outline's sections, in the order the outline shows them. */
  public enum Section {
    /** The design's regions. */
    REGIONS,
    /** The design's links. */
    LINKS,
    /** The design's datasets. */
    DATASETS
  }

  /** Checks the index. */
  public OutlineSelection {
    if (section == null || index < 0) {
      throw new IllegalArgumentException("an outline entry needs a section and an index >= 0");
    }
  }

  /**
   * The entry a JSON Pointer falls in: {@code /links/2/rttMs} is the third link. Empty for
   * pointers outside regions, links and datasets (the header, policies).
   */
  public static Optional<OutlineSelection> of(String pointer) {
    Matcher matcher = ELEMENT.matcher(pointer == null ? "" : pointer);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    Section section = switch (matcher.group(1)) {
      case "regions" -> Section.REGIONS;
      case "links" -> Section.LINKS;
      default -> Section.DATASETS;
    };
    return Optional.of(new OutlineSelection(section, Integer.parseInt(matcher.group(2))));
  }
}
