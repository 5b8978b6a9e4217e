package io.meridian.model.analysis;

/**
 * One point of a t-visibility curve.
 *
 * @param tMs milliseconds after the write committed
 * @param probability probability that a read issued then returns the write (or a newer one)
 */
public record CurvePoint(double tMs, double probability) {}
