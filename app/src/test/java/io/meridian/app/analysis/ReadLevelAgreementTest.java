package io.meridian.app.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReadPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Failure;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.ReadLevelRules;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.model.FailoverSettings;
import io.meridian.model.Policy;
import io.meridian.model.ReadConsistency;
import io.meridian.model.ReplicationMode;
import io.meridian.model.StalenessBound;
import io.meridian.model.analysis.ReadLevels;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code meridian analyze} (the model's {@link ReadLevels}) and the agent agree on which read levels
 * each replication mode serves (ADR 0021): for every mode, level and failover setting, the model
 * offers a level exactly when a real replication core, asked at that level, does not refuse it.
 * The model may not depend on the agent, so this test, which sees both, is where they meet.
 */
class ReadLevelAgreementTest {
  private static final Bytes KEY = Bytes.ofUtf8("k");

  @Test
  void theModelOffersALevelExactlyWhenTheAgentServesIt() {
    for (ReplicationMode mode : ReplicationMode.values()) {
      for (boolean automatic : List.of(false, true)) {
        Policy policy = Policy.of("p", mode).withStaleness(new StalenessBound(1_000, 100))
            .withFailover(new FailoverSettings(automatic, FailoverSettings.DEFAULT_DETECTION_TIMEOUT_MS));
        for (ReadConsistency level : ReadConsistency.values()) {
          boolean model = ReadLevels.refusal(policy, level).isEmpty();
          boolean agent = agentServes(mode, automatic, level);
          assertThat(model).as("%s, automatic failover %s, %s: model offers it / agent serves it", mode, automatic,
              level).isEqualTo(agent);
          assertThat(ReadLevels.serves(mode, level)).as("the plain tables agree for %s %s", mode, level)
              .isEqualTo(ReadLevelRules.serves(agentMode(mode), agentLevel(level)));
        }
      }
    }
  }

  /** Whether a one-region agent of {@code mode} serves a read at {@code level} (does not refuse it). */
  private static boolean agentServes(ReplicationMode mode, boolean automatic, ReadConsistency level) {
    if (mode == ReplicationMode.CONSENSUS) {
      // The Ratis engine (ADR 0015) serves eventual locally and every other level linearizably.
      return ReadLevelRules.serves(io.meridian.agent.config.ReplicationMode.CONSENSUS, agentLevel(level));
    }
    List<String> regions = List.of("a");
    FailoverPolicy failover = new FailoverPolicy(automatic, 1_000, 100);
    DatasetConfig dataset = switch (mode) {
      case QUORUM -> DatasetConfig.quorum("d", regions, QuorumPolicy.majorities(1), FsyncPolicy.OPERATING_SYSTEM);
      case MULTI_PRIMARY -> DatasetConfig.multiPrimary("d", regions, ConflictResolution.LWW,
          FsyncPolicy.OPERATING_SYSTEM, List.of());
      default -> new DatasetConfig("d", agentMode(mode), regions, "a", 0, FsyncPolicy.OPERATING_SYSTEM, 1, failover);
    };
    dataset = dataset.withReads(ReadPolicy.bounded(1_000, 100));
    ReplicationNode node = new ReplicationNode(new AgentConfig("a", List.of(), List.of(dataset),
        ReplicationBounds.DEFAULTS), new InMemoryReplicaStore(), 1_000);
    node.tick(1_001); // A lone primary is its own majority: it holds its lease from the first tick.
    ClientResult result = node.step(1_002, new Input.ClientRequest(1, "d", new ClientOperation.Tuned(
        new ClientOperation.Get(KEY), RequestOptions.read(agentLevel(level), Optional.empty()))))
        .responses().get(0).result();
    return !(result instanceof ClientResult.Failed failed && failed.failure() == Failure.FAILED_PRECONDITION);
  }

  private static io.meridian.agent.config.ReplicationMode agentMode(ReplicationMode mode) {
    return switch (mode) {
      case ASYNC -> io.meridian.agent.config.ReplicationMode.ASYNC;
      case SYNC -> io.meridian.agent.config.ReplicationMode.SYNC;
      case QUORUM -> io.meridian.agent.config.ReplicationMode.QUORUM;
      case MULTI_PRIMARY -> io.meridian.agent.config.ReplicationMode.MULTI_PRIMARY;
      case CONSENSUS -> io.meridian.agent.config.ReplicationMode.CONSENSUS;
    };
  }

  private static RequestOptions.ReadLevel agentLevel(ReadConsistency level) {
    return switch (level) {
      case EVENTUAL -> RequestOptions.ReadLevel.EVENTUAL;
      case SESSION -> RequestOptions.ReadLevel.SESSION;
      case BOUNDED_STALENESS -> RequestOptions.ReadLevel.BOUNDED_STALENESS;
      case QUORUM -> RequestOptions.ReadLevel.QUORUM;
      case STRONG -> RequestOptions.ReadLevel.STRONG;
    };
  }
}
