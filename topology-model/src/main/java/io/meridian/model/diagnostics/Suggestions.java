package io.meridian.model.diagnostics;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean" for misspelt names. Written here rather than taken from a library because it is
 * fifteen lines of edit distance and the model keeps its dependencies to Jackson and JGraphT.
 */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate closest to {@code wrong} by edit distance, when it is close enough to be a
   * plausible typo (at most a third of the word, and at least one edit allowed).
   */
  public static Optional<String> closest(String wrong, Collection<String> candidates) {
    if (wrong == null) {
      return Optional.empty();
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance = distance(wrong.toLowerCase(java.util.Locale.ROOT),
          candidate.toLowerCase(java.util.Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    int allowed = Math.max(1, Math.max(wrong.length(), 3) / 3);
    return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
  }

  /** Levenshtein distance between two strings. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
