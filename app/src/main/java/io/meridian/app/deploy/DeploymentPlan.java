package io.meridian.app.deploy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A topology compiled for deployment: one agent per data region, and what was left out.
 *
 * @param topologyName the topology's name, which also names the default state directory
 * @param agents one plan per data region, in the topology's region order
 * @param warnings one line per thing the deployment leaves out (datasets in modes the agent does
 *     not run yet, witness regions), for the person deploying to read
 */
public record DeploymentPlan(String topologyName, List<AgentPlan> agents, List<String> warnings) {

  /** Copies the lists. */
  public DeploymentPlan {
    Objects.requireNonNull(topologyName, "topologyName");
    agents = List.copyOf(agents);
    warnings = List.copyOf(warnings);
  }

  /** The agent of a region, if the plan has one. */
  public Optional<AgentPlan> agent(String region) {
    return agents.stream().filter(a -> a.region().equals(region)).findFirst();
  }
}
