package io.meridian.app.client;

import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.FailoverStatusRequest;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the region that is the primary of a dataset now, so that clients follow a failover
 * without reconfiguration (issue 7): every replica's agent is asked for its failover view and
 * the primary decided in the highest epoch wins. {@code deployment.json} records only the
 * primary at deploy time; it is the answer only when no agent answers.
 */
public final class CurrentPrimary {
  /** How long one agent may take to state its view; a dead agent costs at most this. */
  public static final Duration ASK_DEADLINE = Duration.ofSeconds(2);

  private CurrentPrimary() {
  }

  /**
   * The current primary of {@code record}, asking its replicas' agents.
   *
   * @return the primary decided in the highest epoch any reachable replica applied, or the
   *     recorded primary when none answered
   */
  public static String of(DeploymentState deployment, DatasetRecord record) {
    Map<String, DatasetFailoverView> views = new LinkedHashMap<>();
    for (String region : record.replicas()) {
      Optional<AgentRecord> agent = deployment.agent(region);
      if (agent.isEmpty()) {
        continue;
      }
      try (AgentClient client = new AgentClient(region, agent.get().grpcAddress())) {
        ControlGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(ASK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .failoverStatus(FailoverStatusRequest.getDefaultInstance()).getDatasetsList().stream()
            .filter(view -> view.getDataset().equals(record.name()))
            .findFirst()
            .ifPresent(view -> views.put(region, view));
      } catch (StatusRuntimeException e) {
        // An unreachable agent has no say; the others decide.
      }
    }
    return choose(views.values()).orElse(record.primary());
  }

  /**
   * The primary named by the view with the highest epoch, among views that name one.
   */
  public static Optional<String> choose(Collection<DatasetFailoverView> views) {
    return views.stream()
        .filter(view -> !view.getPrimaryRegion().isEmpty())
        .max(Comparator.comparingLong(DatasetFailoverView::getEpoch))
        .map(DatasetFailoverView::getPrimaryRegion);
  }
}
