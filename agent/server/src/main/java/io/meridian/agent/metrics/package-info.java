/**
 * Prometheus metrics for an agent, named by DESIGN.md's conventions: {@code meridian_} prefix,
 * base units, {@code _total} counters, labels {@code source}, {@code target}, {@code dataset}.
 */
package io.meridian.agent.metrics;
