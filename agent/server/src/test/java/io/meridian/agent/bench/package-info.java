/**
 * Benchmarks that print figures; run by hand (they have a {@code main}), never as tests.
 */
package io.meridian.agent.bench;
