package io.meridian.model;

import java.util.regex.Pattern;

/**
 * The identifier of a region: lower-case letters, digits and dashes, starting with a letter or
 * digit, at most 63 characters (a DNS label, so it can name hosts and Kubernetes objects).
 */
public record RegionId(String value) implements Comparable<RegionId> {
  private static final Pattern FORM = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** Checks the form. */
  public RegionId {
    Invariants.notNull(value, "region id");
    Invariants.require(FORM.matcher(value).matches(),
        "region id '%s' must be lower-case letters, digits and dashes (at most 63), "
            + "starting with a letter or digit", value);
  }

  /** Whether {@code text} would make a valid region id. */
  public static boolean isValid(String text) {
    return text != null && FORM.matcher(text).matches();
  }

  /** Shorthand for {@code new RegionId(value)}. */
  public static RegionId of(String value) {
    return new RegionId(value);
  }

  @Override
  public int compareTo(RegionId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
