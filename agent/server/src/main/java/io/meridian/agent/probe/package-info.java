/**
 * Consistency probes (ADR 0022), the adapter: each agent writes its probe key of every dataset it
 * may write at its region, reads it at each other region through their KV API at every level the
 * dataset serves, and hands the reads to the pure {@link io.meridian.agent.core.probe.ProbeJudge};
 * results go to metrics, the watch stream and the control API's {@code Probes}.
 */
package io.meridian.agent.probe;
