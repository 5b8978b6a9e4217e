/**
 * Operator failover from the command line: reading every agent's view of a dataset, planning a
 * planned switchover or a forced failover (epoch, target, what would be lost), and saying so before
 * anything changes. Pure planning here; the {@code meridian failover} command does the calls.
 */
package io.meridian.app.failover;
