package io.meridian.model.validation;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.SourcePosition;
import java.util.Comparator;
import java.util.List;

/**
 * Orders problems the way a reader meets them: by file position when problems have one, otherwise
 * by JSON Pointer with list indexes compared as numbers ({@code /datasets/2} before
 * {@code /datasets/10}) and the top-level sections in file order; then by code and message, so the
 * order is total and validation is deterministic.
 */
final class ProblemOrder {
  private static final List<String> SECTIONS =
      List.of("apiVersion", "kind", "metadata", "regions", "links", "policies", "datasets");

  /** By pointer, then code and message. */
  static final Comparator<Problem> BY_PATH = Comparator
      .comparing(Problem::path, ProblemOrder::comparePointers)
      .thenComparing(Problem::code)
      .thenComparing(Problem::message);

  /** By position (problems without one last), then as {@link #BY_PATH}. */
  static final Comparator<Problem> BY_POSITION = Comparator
      .comparing(Problem::position, Comparator.nullsLast(Comparator.<SourcePosition>naturalOrder()))
      .thenComparing(BY_PATH);

  private ProblemOrder() {}

  static int comparePointers(String x, String y) {
    String[] xs = x.isEmpty() ? new String[0] : x.substring(1).split("/", -1);
    String[] ys = y.isEmpty() ? new String[0] : y.substring(1).split("/", -1);
    for (int i = 0; i < Math.min(xs.length, ys.length); i++) {
      int order = i == 0 ? compareSections(xs[0], ys[0]) : compareSegments(xs[i], ys[i]);
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(xs.length, ys.length);
  }

  private static int compareSections(String x, String y) {
    int xi = SECTIONS.indexOf(x);
    int yi = SECTIONS.indexOf(y);
    if (xi >= 0 && yi >= 0) {
      return Integer.compare(xi, yi);
    }
    if (xi >= 0 || yi >= 0) {
      return xi >= 0 ? -1 : 1;
    }
    return x.compareTo(y);
  }

  private static int compareSegments(String x, String y) {
    boolean xNumber = isIndex(x);
    boolean yNumber = isIndex(y);
    if (xNumber && yNumber) {
      return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    }
    if (xNumber != yNumber) {
      return xNumber ? -1 : 1;
    }
    return x.compareTo(y);
  }

  private static boolean isIndex(String segment) {
    if (segment.isEmpty() || segment.length() > 1 && segment.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < segment.length(); i++) {
      if (segment.charAt(i) < '0' || segment.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
