package io.meridian.app.deploy;

import io.meridian.agent.config.AgentConfig;
import java.util.Objects;

/**
 * What one agent of a deployment will be: its region, the ports it will serve on and its
 * configuration.
 *
 * @param region the region the agent serves
 * @param grpcPort the port of its gRPC endpoint (KV, control, watch, peers) on 127.0.0.1
 * @param metricsPort the port of its Prometheus {@code /metrics} endpoint
 * @param config the configuration written to the file the agent reads
 * @param consensus the agent's Raft server and groups (ADR 0015); null when it takes part in no
 *     consensus dataset
 */
public record AgentPlan(String region, int grpcPort, int metricsPort, AgentConfig config,
    io.meridian.agent.config.ConsensusConfig consensus) {

  /** An agent that takes part in no consensus dataset. */
  public AgentPlan(String region, int grpcPort, int metricsPort, AgentConfig config) {
    this(region, grpcPort, metricsPort, config, null);
  }

  /** Checks that the ports are usable and the configuration is this region's. */
  public AgentPlan {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(config, "config");
    if (grpcPort < 1 || grpcPort > 65_535 || metricsPort < 1 || metricsPort > 65_535) {
      throw new IllegalArgumentException("ports of region " + region + " out of range: "
          + grpcPort + ", " + metricsPort);
    }
    if (!config.region().equals(region)) {
      throw new IllegalArgumentException("configuration of region " + config.region()
          + " planned for region " + region);
    }
  }

  /** The address peers and clients use: {@code 127.0.0.1:PORT}. */
  public String grpcAddress() {
    return DeploymentCompiler.LOOPBACK + ":" + grpcPort;
  }

  /** The metrics address: {@code 127.0.0.1:PORT}. */
  public String metricsAddress() {
    return DeploymentCompiler.LOOPBACK + ":" + metricsPort;
  }
}
