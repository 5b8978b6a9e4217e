package io.meridian.agent.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

// Proves the replication core stays a pure state machine: no transport, storage engine, file,
// network, thread or clock types inside it.
@AnalyzeClasses(packages = {"io.meridian.agent.core", "io.meridian.agent.config"}, importOptions = ImportOption.DoNotIncludeTests.class)
class CoreArchitectureTest {

  private static final String CORE = "io.meridian.agent.core..";

  @ArchTest
  static final ArchRule coreUsesNoTransportOrStorageEngine = noClasses().that().resideInAPackage(CORE)
      .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "com.google.protobuf..", "org.rocksdb..",
          "io.prometheus..", "org.apache.ratis..", "io.meridian.agent.api..")
      .because("the core is driven by a seeded simulation; gRPC, RocksDB and metrics are adapters at the edges");

  @ArchTest
  static final ArchRule coreDoesNoIo = noClasses().that().resideInAPackage(CORE)
      .should().dependOnClassesThat().resideInAnyPackage("java.net..", "java.nio.file..", "java.nio.channels..")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
      .orShould().dependOnClassesThat().haveNameMatching("java\\.io\\.File(In|Out)putStream|java\\.io\\.RandomAccessFile")
      .because("the core performs no I/O: it returns messages to send and the driver persists and sends them");

  @ArchTest
  static final ArchRule coreStartsNoThreads = noClasses().that().resideInAPackage(CORE)
      .should().dependOnClassesThat().resideInAnyPackage("java.util.concurrent..")
      .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Runnable")
      .because("the core is single-threaded and deterministic, so a seed replays any schedule");

  @ArchTest
  static final ArchRule coreReadsNoClockOrRandomness = noClasses().that().resideInAPackage(CORE)
      .should().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .orShould().dependOnClassesThat().resideInAnyPackage("java.time..")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.SecureRandom")
      .because("time and randomness are injected, so a simulation controls them and replays them from a seed");

  @ArchTest
  static final ArchRule coreDependsOnNoTopologyModelYet = noClasses().that().resideInAnyPackage(CORE, "io.meridian.agent.config..")
      .should().dependOnClassesThat().resideInAnyPackage("io.meridian.model..")
      .because("the agent configuration is its own; a compiler from the topology model produces it");
}
