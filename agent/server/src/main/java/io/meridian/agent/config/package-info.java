/**
 * An agent's configuration: which region it is, its peers and how to reach them, the datasets
 * it replicates with their mode, replicas, primary and durability, and the named bounds of the
 * replication protocol. A later step compiles a topology model into one of these per region;
 * until then the agent depends on no model types.
 */
package io.meridian.agent.config;
