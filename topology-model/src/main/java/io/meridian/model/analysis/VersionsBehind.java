package io.meridian.model.analysis;

/**
 * The chance that a read misses more than {@code k} committed writes of the dataset.
 *
 * @param k the number of versions
 * @param probabilityMoreThanK probability that more than {@code k} writes committed before the
 *     read are not yet visible to it
 */
public record VersionsBehind(long k, double probabilityMoreThanK) {}
