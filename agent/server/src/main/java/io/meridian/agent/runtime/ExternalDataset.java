package io.meridian.agent.runtime;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.DatasetStatus;
import java.util.List;
import java.util.function.Consumer;

/**
 * A dataset replicated outside the pure core (a {@code consensus} dataset on Ratis, ADR 0015).
 * The runtime hands its client operations over unchanged; callbacks may run on any thread.
 */
public interface ExternalDataset {
  /** Carries out {@code operations}; each callback receives its operation's result exactly once. */
  void submitAll(List<ClientOperation> operations, List<Consumer<ClientResult>> callbacks);

  /** Reads {@code key}: linearizably when asked, otherwise from this region's copy. */
  void read(Bytes key, boolean linearizable, Consumer<ClientResult> callback);

  /**
   * A session read carrying a token for the dataset's applied-write {@code sequence} (ADR 0030):
   * never older than that write. By default a linearizable read, which is never older.
   */
  default void sessionRead(Bytes key, long sequence, Consumer<ClientResult> callback) {
    read(key, true, callback);
  }

  /** The dataset's status as this region sees it. */
  DatasetStatus status();
}
