/**
 * Automatic failover through a consensus group (ADR 0016): an adapter, not part of the core. A
 * Ratis group across the deployment's voting agents orders failover commands (a region's release
 * of a primary, an operator's decision); every agent applies the committed commands to the same
 * deterministic {@link io.meridian.agent.failover.DecisionLog} and feeds the decisions it yields
 * to its core as {@code Input.EpochDecided}, in epoch order.
 */
package io.meridian.agent.failover;
