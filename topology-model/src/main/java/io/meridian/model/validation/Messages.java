package io.meridian.model.validation;

import io.meridian.model.Geo;
import io.meridian.model.Region;
import io.meridian.model.diagnostics.Suggestions;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Wording shared by the rules, so that every message names things the same way. */
final class Messages {
  /** How many candidates a fix lists before it stops. */
  private static final int LISTED_CANDIDATES_MAX = 6;

  private Messages() {}

  /** {@code 'a', 'b', 'c'}. */
  static String quoted(Collection<?> names) {
    return names.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "));
  }

  /** Milliseconds for people: {@code 215} or {@code 64.3}. */
  static String ms(double value) {
    double rounded = Math.round(value * 10) / 10.0;
    return rounded == Math.rint(rounded) ? Long.toString((long) rounded)
        : String.format(Locale.ROOT, "%.1f", rounded);
  }

  /** "did you mean 'x'?" for a misspelt region id, or the regions there are. */
  static String regionFix(ValidationContext context, String wrong) {
    return Suggestions.closest(wrong, context.regionIds())
        .map(id -> "did you mean '" + id + "'?")
        .orElseGet(() -> context.regionIds().isEmpty()
            ? "add a region with id '" + wrong + "' under regions:"
            : "add a region with id '" + wrong + "' under regions:, or use one of "
                + quotedFew(context.regionIds()));
  }

  /** The first few of {@code names} quoted, with an ellipsis when there are more. */
  static String quotedFew(List<String> names) {
    if (names.size() <= LISTED_CANDIDATES_MAX) {
      return quoted(names);
    }
    return quoted(names.subList(0, LISTED_CANDIDATES_MAX)) + ", …";
  }

  /** A realistic round-trip time for a new link between two regions, for fixes. */
  static String estimatedRtt(Region a, Region b) {
    return ms(Geo.estimatedRttMs(a, b));
  }
}
