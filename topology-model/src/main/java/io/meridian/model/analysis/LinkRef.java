package io.meridian.model.analysis;

import io.meridian.model.Invariants;
import io.meridian.model.Link;
import io.meridian.model.RegionId;

/**
 * Names an undirected link by its two ends, as written on the command line: {@code a~b}. The ends
 * are kept in sorted order so {@code a~b} and {@code b~a} are equal.
 *
 * @param a the end that sorts first
 * @param b the end that sorts second
 */
public record LinkRef(RegionId a, RegionId b) implements Comparable<LinkRef> {
  /** Puts the ends in order and checks they differ. */
  public LinkRef {
    Invariants.notNull(a, "link end");
    Invariants.notNull(b, "link end");
    Invariants.require(!a.equals(b), "a link needs two different regions, both ends are %s", a);
    if (a.compareTo(b) > 0) {
      RegionId first = b;
      b = a;
      a = first;
    }
  }

  /**
   * Parses {@code a~b}.
   *
   * @throws IllegalArgumentException when the text is not two region ids joined by {@code ~}
   */
  public static LinkRef parse(String text) {
    Invariants.notNull(text, "link");
    int tilde = text.indexOf('~');
    Invariants.require(tilde > 0 && tilde == text.lastIndexOf('~') && tilde < text.length() - 1,
        "'%s' is not a link; write two region ids joined by '~', e.g. us-east~eu-west", text);
    return new LinkRef(RegionId.of(text.substring(0, tilde).trim()),
        RegionId.of(text.substring(tilde + 1).trim()));
  }

  /** The reference to a model link. */
  public static LinkRef of(Link link) {
    return new LinkRef(link.a(), link.b());
  }

  /** Whether this names {@code link}. */
  public boolean names(Link link) {
    return link.joins(a, b);
  }

  @Override
  public int compareTo(LinkRef other) {
    int byA = a.compareTo(other.a);
    return byA != 0 ? byA : b.compareTo(other.b);
  }

  @Override
  public String toString() {
    return a + "~" + b;
  }
}
