package io.meridian.agent.core.storage;

// Proves the in-memory store used by simulations keeps the store contract.
class InMemoryReplicaStoreTest extends ReplicaStoreContract {

  @Override
  protected ReplicaStore newStore() {
    return new InMemoryReplicaStore();
  }
}
