package io.meridian.model;

import java.util.regex.Pattern;

/**
 * A legal area data may be bound to, written as an upper-case code such as {@code EU}, {@code US},
 * {@code UK}, {@code JP} or {@code APAC}.
 */
public record Jurisdiction(String code) implements Comparable<Jurisdiction> {
  private static final Pattern FORM = Pattern.compile("[A-Z][A-Z0-9-]{1,15}");

  /** Checks the form. */
  public Jurisdiction {
    Invariants.notNull(code, "jurisdiction");
    Invariants.require(FORM.matcher(code).matches(),
        "jurisdiction '%s' must be an upper-case code of 2 to 16 letters or digits, such as EU or US",
        code);
  }

  /** Shorthand for {@code new Jurisdiction(code)}. */
  public static Jurisdiction of(String code) {
    return new Jurisdiction(code);
  }

  @Override
  public int compareTo(Jurisdiction other) {
    return code.compareTo(other.code);
  }

  @Override
  public String toString() {
    return code;
  }
}
