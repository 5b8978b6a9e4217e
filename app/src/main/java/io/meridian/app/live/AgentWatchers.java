package io.meridian.app.live;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.StatusRequest;
import io.meridian.agent.api.v1.StatusResponse;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.api.v1.WatchGrpc;
import io.meridian.agent.api.v1.WatchRequest;
import io.meridian.app.client.AgentClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC adapter of the live view: one watch stream per agent, reopened after it fails, and a
 * status request per agent every {@link #STATUS_INTERVAL} for roles and epochs. Everything it
 * hears goes to a {@link LiveSession} as {@link LiveInput}s stamped with the studio's clock.
 */
public final class AgentWatchers implements AutoCloseable {
  /** Snapshot interval asked of every agent: twice a second. */
  public static final int SNAPSHOT_INTERVAL_MILLIS = 500;
  /** How often roles and epochs are asked for. */
  public static final Duration STATUS_INTERVAL = Duration.ofSeconds(1);
  /** Deadline of one status request. */
  public static final Duration STATUS_DEADLINE = Duration.ofSeconds(2);
  /** Wait before reopening a failed watch stream. */
  public static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

  private final LiveSession session;
  private final Map<String, AgentClient> clients = new LinkedHashMap<>();
  private final Map<String, ClientCallStreamObserver<WatchRequest>> streams =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private volatile boolean closed;

  /**
   * Watches agents; nothing is sent until {@link #start()}.
   *
   * @param endpoints the agents
   * @param session where inputs go
   */
  public AgentWatchers(List<AgentEndpoint> endpoints, LiveSession session) {
    this.session = session;
    for (AgentEndpoint endpoint : endpoints) {
      clients.put(endpoint.region(), new AgentClient(endpoint.region(), endpoint.address()));
    }
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "meridian-live-watch");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Opens every watch stream and starts polling status. */
  public void start() {
    clients.keySet().forEach(this::openStream);
    scheduler.scheduleAtFixedRate(this::pollStatus, 0, STATUS_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The watched agents, in the order given. */
  public List<AgentEndpoint> endpoints() {
    return clients.values().stream()
        .map(client -> new AgentEndpoint(client.region(), client.address())).toList();
  }

  /** The client of a region's agent, for operator actions. */
  public Optional<AgentClient> client(String region) {
    return Optional.ofNullable(clients.get(region));
  }

  private void openStream(String region) {
    if (closed) {
      return;
    }
    AgentClient client = clients.get(region);
    WatchGrpc.newStub(client.channel()).watch(WatchRequest.newBuilder()
            .setSnapshotIntervalMillis(SNAPSHOT_INTERVAL_MILLIS).build(),
        new ClientResponseObserver<WatchRequest, WatchEvent>() {
          private boolean opened;

          @Override
          public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
            streams.put(region, requestStream);
          }

          @Override
          public void onNext(WatchEvent event) {
            if (!opened) {
              opened = true;
              session.submit(new LiveInput.AgentConnected(session.now(), region));
            }
            session.submit(new LiveInput.Watched(session.now(), region, event));
          }

          @Override
          public void onError(Throwable t) {
            lost(region, t instanceof StatusRuntimeException e ? client.describe(e)
                : String.valueOf(t.getMessage()));
          }

          @Override
          public void onCompleted() {
            lost(region, "the agent ended its watch stream");
          }
        });
  }

  private void lost(String region, String reason) {
    if (closed) {
      return;
    }
    session.submit(new LiveInput.AgentLost(session.now(), region, reason));
    try {
      scheduler.schedule(() -> openStream(region), RECONNECT_DELAY.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      // Closed meanwhile: nothing to reopen.
    }
  }

  private void pollStatus() {
    clients.forEach((region, client) -> {
      var future = ControlGrpc.newFutureStub(client.channel())
          .withDeadlineAfter(STATUS_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .status(StatusRequest.getDefaultInstance());
      future.addListener(() -> {
        try {
          StatusResponse status = future.get();
          session.submit(new LiveInput.StatusReceived(session.now(), region, status));
        } catch (Exception unreachable) {
          // The watch stream reports unreachable agents; a missed status changes nothing.
        }
      }, Runnable::run);
    });
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    streams.values().forEach(s -> s.cancel("the live view closed", null));
    clients.values().forEach(AgentClient::close);
  }
}
