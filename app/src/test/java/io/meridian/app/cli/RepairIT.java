package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.app.deploy.LocalDeploymentFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves `meridian repair` with real agent processes (ADR 0014): a replica whose store was changed
// behind replication's back while it was down (keys rotted, lost and invented) keeps serving the
// wrong data after a restart, since its log is complete and nothing is re-sent; `meridian repair`
// compares Merkle trees, repairs exactly those keys, and prints the figures.
class RepairIT {
  @RegisterExtension
  final LocalDeploymentFixture deployment = new LocalDeploymentFixture()
      // Only `meridian repair` may repair here, or a periodic repair could beat it to the keys.
      .withSystemProperty(LocalDeployer.REPAIR_INTERVAL_PROPERTY, "0");

  private static String get(String region, String key) {
    CliRun get = CliRun.meridian("kv", "get", "--region", region, "--dataset", "orders", key);
    return get.out().trim();
  }

  @Test
  void repairBringsBackAReplicaWhoseStoreWasChangedBehindReplication() throws Exception {
    Path stateDirectory = deployment.stateDirectory();
    CliRun deploy = CliRun.deployLocally(deployment, "../samples/global-async.yaml");
    assertThat(deploy.status()).as(deploy.all()).isZero();
    for (int i = 0; i < 20; i++) {
      CliRun put = CliRun.meridianHonouringPushback("kv", "put", "--region", "us-east", "--dataset", "orders", "k" + i,
          "v" + i);
      assertThat(put.status()).as(put.all()).isZero();
    }
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("ap-southeast", "k19").contains("orders/k19 = v19"));

    DeploymentState state = DeploymentState.read(stateDirectory);
    long pid = state.agent("ap-southeast").orElseThrow().pid();
    CliRun kill = CliRun.meridian("fault", "kill", "ap-southeast");
    assertThat(kill.status()).as(kill.all()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty());
    Path data = Path.of(state.agent("ap-southeast").orElseThrow().dataDirectory());
    try (RocksDbReplicaStore store = new RocksDbReplicaStore(data, List.of("orders"))) {
      StoredValue k3 = store.get("orders", Bytes.ofUtf8("k3")).orElseThrow();
      store.repairKey("orders", Bytes.ofUtf8("k3"), Optional.of(new StoredValue(Bytes.ofUtf8("rotten"), k3.version(),
          false)));
      store.repairKey("orders", Bytes.ofUtf8("k7"), Optional.empty());
      store.repairKey("orders", Bytes.ofUtf8("invented"), Optional.of(new StoredValue(Bytes.ofUtf8("x"), k3.version(),
          false)));
      store.sync();
    }
    CliRun restart = CliRun.meridian("fault", "restart", "ap-southeast",
        "--wait", LocalDeploymentFixture.AGENT_WAIT_SECONDS);
    assertThat(restart.status()).as(restart.all()).isZero();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("ap-southeast", "k3").contains("orders/k3 = rotten"));
    assertThat(get("ap-southeast", "k7")).contains("not found");

    CliRun repair = CliRun.meridian("repair", "--dataset", "orders");
    System.out.println("repair: " + repair.all());
    assertThat(repair.status()).as(repair.all()).isZero();
    assertThat(repair.out()).contains("orders us-east <-> ap-southeast: compared ")
        .containsPattern("orders us-east <-> ap-southeast: compared \\d+ ranges, repaired 3 keys, sent \\d+ bytes in \\d+ ms")
        .containsPattern("orders us-east <-> eu-central: compared 1 ranges, repaired 0 keys");
    assertThat(get("ap-southeast", "k3")).contains("orders/k3 = v3");
    assertThat(get("ap-southeast", "k7")).contains("orders/k7 = v7");
    assertThat(get("ap-southeast", "invented")).contains("not found");

    CliRun unknown = CliRun.meridian("repair", "--dataset", "orders", "--regions", "mars");
    assertThat(unknown.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(unknown.err()).contains("region 'mars' holds no replica of orders");
  }
}
