package io.meridian.model.analysis;

/**
 * How the random parts were estimated, so a reader knows how far to trust the digits.
 *
 * @param samples samples per distribution
 * @param seed the seed; the same seed reproduces every figure
 * @param delayModel the one-way delay distribution of each hop
 * @param confidence the confidence level of every reported interval (0.95)
 * @param curveErrorBound with that confidence, every point of every t-visibility curve is within
 *     this of the true probability (Dvoretzky-Kiefer-Wolfowitz)
 * @param method one paragraph on the method
 */
public record MonteCarlo(
    int samples, long seed, DelayModel delayModel, double confidence, double curveErrorBound,
    String method) {}
