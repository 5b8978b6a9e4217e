package io.meridian.model.analysis;

/**
 * A confidence interval of a Monte Carlo estimate, in the estimate's unit.
 *
 * @param low lower end
 * @param high upper end
 */
public record Interval(double low, double high) {}
