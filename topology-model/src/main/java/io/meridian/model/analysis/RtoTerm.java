package io.meridian.model.analysis;

/**
 * One term of a recovery time estimate.
 *
 * @param name {@code detection}, {@code promotion} or {@code redirect}
 * @param ms its length, in milliseconds
 * @param explanation where the figure comes from
 */
public record RtoTerm(String name, double ms, String explanation) {}
