package io.meridian.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How concurrent writes to one key are reconciled: {@code lww}, {@code version-vector}, or
 * {@code crdt:<type>}.
 *
 * @param rule the rule
 * @param crdtType the data type when the rule is {@link Rule#CRDT}, otherwise null
 */
public record ConflictResolution(Rule rule, CrdtType crdtType) {
  /** The three families of rules. */
  public enum Rule {
    /** Last writer wins on hybrid logical clock timestamps, ties by region id. */
    LWW,
    /** Concurrent versions kept as siblings until a client resolves them. */
    VERSION_VECTOR,
    /** A conflict-free replicated data type merges all writes. */
    CRDT
  }

  /** Last writer wins. */
  public static final ConflictResolution LWW = new ConflictResolution(Rule.LWW, null);
  /** Version vectors with siblings. */
  public static final ConflictResolution VERSION_VECTOR =
      new ConflictResolution(Rule.VERSION_VECTOR, null);

  /** Checks that a CRDT rule names its type and other rules do not. */
  public ConflictResolution {
    Invariants.notNull(rule, "conflict resolution rule");
    Invariants.require((rule == Rule.CRDT) == (crdtType != null),
        "crdt conflict resolution needs a type (crdt:<type>) and other rules take none");
  }

  /** A CRDT rule of the given type. */
  public static ConflictResolution crdt(CrdtType type) {
    return new ConflictResolution(Rule.CRDT, type);
  }

  /**
   * Parses {@code lww}, {@code version-vector} or {@code crdt:<type>}.
   *
   * @throws IllegalArgumentException naming the accepted spellings when {@code text} is not one
   */
  public static ConflictResolution parse(String text) {
    if ("lww".equals(text)) {
      return LWW;
    }
    if ("version-vector".equals(text)) {
      return VERSION_VECTOR;
    }
    if (text != null && text.startsWith("crdt:")) {
      CrdtType type = CrdtType.fromFileName(text.substring("crdt:".length()));
      if (type != null) {
        return crdt(type);
      }
    }
    throw new IllegalArgumentException("unknown conflict resolution '" + text + "'; use one of "
        + String.join(", ", spellings()));
  }

  /** Every accepted spelling, for messages and completion. */
  public static java.util.List<String> spellings() {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("lww", "version-vector"));
    all.addAll(Arrays.stream(CrdtType.values()).map(t -> "crdt:" + t.fileName())
        .collect(Collectors.toList()));
    return all;
  }

  /** The file spelling. */
  public String fileName() {
    return switch (rule) {
      case LWW -> "lww";
      case VERSION_VECTOR -> "version-vector";
      case CRDT -> "crdt:" + crdtType.fileName();
    };
  }

  @Override
  public String toString() {
    return fileName();
  }
}
