/**
 * Merkle-tree anti-entropy (ADR 0014): per dataset, a fixed-depth hash tree over key-hash ranges
 * kept up to date as writes land, and the peer protocol that compares two replicas' trees, descends
 * only where they differ, exchanges only the differing ranges' keys and repairs by the dataset's
 * rule. Pure logic: messages and ticks in, messages, store writes and events out.
 */
package io.meridian.agent.core.antientropy;
