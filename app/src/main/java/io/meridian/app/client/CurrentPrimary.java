package io.meridian.app.client;

import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.FailoverStatusRequest;
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
   * The current primary of {@code dataset}, asking its replicas' agents.
   *
   * @param agents the gRPC address of the agent of each replica region
   * @param recordedPrimary the answer when no agent answers (the primary at deploy time)
   * @return the primary decided in the highest epoch any reachable replica applied, or {@code
   *     recordedPrimary} when none answered
   */
  public static String of(String dataset, Map<String, String> agents, String recordedPrimary) {
    Map<String, DatasetFailoverView> views = new LinkedHashMap<>();
    agents.forEach((region, address) -> {
      try (AgentClient client = new AgentClient(region, address)) {
        ControlGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(ASK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .failoverStatus(FailoverStatusRequest.getDefaultInstance()).getDatasetsList().stream()
            .filter(view -> view.getDataset().equals(dataset))
            .findFirst()
            .ifPresent(view -> views.put(region, view));
      } catch (StatusRuntimeException e) {
        // An unreachable agent has no say; the others decide.
      }
    });
    return choose(views.values()).orElse(recordedPrimary);
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
