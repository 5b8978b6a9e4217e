/**
 * Seeded, deterministic whole-cluster simulation of the replication core: simulated time, a
 * simulated network that delays, reorders, duplicates and loses messages, partitions, and process
 * crashes with restarts from the surviving store. Any failure replays from its seed.
 */
package io.meridian.agent.sim;
