/**
 * Conflict resolution for multi-primary datasets: dots and version vectors, last-writer-wins on
 * hybrid logical clock timestamps, siblings with causal contexts, and conflict-free replicated
 * data types. Every per-key state here is a join-semilattice under {@code merge} and applies
 * stamped operations idempotently and in any order, so replicas that saw the same operations
 * hold the same bytes (ADR 0008).
 */
package io.meridian.agent.core.conflict;
