/**
 * The replication agent process: {@link io.meridian.agent.Agent} wires the core, storage and
 * gRPC services onto a server builder; {@link io.meridian.agent.AgentMain} runs one from a
 * configuration file.
 */
package io.meridian.agent;
