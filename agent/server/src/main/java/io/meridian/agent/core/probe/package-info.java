/**
 * Consistency probes (ADR 0022): the pure part. A probe writes a reserved key at its region and
 * reads it at the other regions at each level the dataset serves; {@link
 * io.meridian.agent.core.probe.ProbeJudge} decides, from the probe's own acknowledged writes and
 * the reads' start times, how long a write took to become visible at each region and whether a read
 * broke its level's promise. No I/O and no clock: times come in as arguments.
 */
package io.meridian.agent.core.probe;
