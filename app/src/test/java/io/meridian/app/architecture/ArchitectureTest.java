package io.meridian.app.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import javafx.application.Application;

// Proves that the module arrows of DESIGN.md hold in the compiled code: the model stays pure,
// visualization has no networking, the agent's contracts know nothing of JavaFX, Jackson stays in
// the model's format package, and the studio's view-models never touch a Node.
@AnalyzeClasses(packages = "io.meridian", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule modelDependsOnNoUiNetworkOrOuterModule = noClasses()
      .that().resideInAPackage("io.meridian.model..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "javafx..", "io.grpc..", "com.google.protobuf..",
          "io.meridian.agent..", "io.meridian.visualization..", "io.meridian.app..")
      .because("the topology model is the shared domain of the studio, the agent and the "
          + "command line; it must run headless and in the agent without UI or transport code");

  @ArchTest
  static final ArchRule jacksonOnlyInTheModelsFormatPackage = noClasses()
      .that().resideInAPackage("io.meridian.model..")
      .and().resideOutsideOfPackage("io.meridian.model.format..")
      .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson..")
      .because("the file format is one concern: the domain values stay plain records, and "
          + "YAML/JSON binding lives in io.meridian.model.format only");

  /**
   * Networking for the visualization rule. {@code java.net.URL} and {@code URI} are left out on
   * purpose: {@code Class.getResource(...)} returns a URL, which is how a control finds its own
   * stylesheet, and that touches no network.
   */
  private static final DescribedPredicate<JavaClass> NETWORKING =
      resideInAnyPackage("java.net.http..", "javax.net..", "java.nio.channels..", "io.grpc..",
          "io.netty..", "com.google.protobuf..")
          .or(resideInAPackage("java.net")
              .and(not(simpleNameStartingWith("URL").or(simpleNameStartingWith("URI"))
                  .or(simpleNameStartingWith("MalformedURL")))))
          .as("are networking (sockets, HTTP, channels, gRPC)");

  @ArchTest
  static final ArchRule visualizationHasNoNetworking = noClasses()
      .that().resideInAPackage("io.meridian.visualization..")
      .should().dependOnClassesThat(NETWORKING)
      .because("visualization draws what it is given; the app fetches live data and hands it "
          + "over, so views stay testable and reusable without agents")
      .allowEmptyShould(true);

  @ArchTest
  static final ArchRule visualizationKnowsNeitherAgentNorApp = noClasses()
      .that().resideInAPackage("io.meridian.visualization..")
      .should().dependOnClassesThat().resideInAnyPackage("io.meridian.agent..",
          "io.meridian.app..")
      .because("arrows point one way: model <- visualization <- app; the agent is reached only "
          + "through the app")
      .allowEmptyShould(true);

  @ArchTest
  static final ArchRule agentContractsHaveNoJavaFx = noClasses()
      .that().resideInAPackage("io.meridian.agent..")
      .should().dependOnClassesThat().resideInAPackage("javafx..")
      .because("the agent and its contracts run on servers without a display; the studio "
          + "depends on the contracts, never the other way round");

  @ArchTest
  static final ArchRule viewModelsNeverTouchNodes = noClasses()
      .that().haveSimpleNameEndingWith("ViewModel")
      .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..")
      .because("MVVM: a view-model holds UI logic in observable properties and is tested "
          + "without starting JavaFX; only views build controls");

  @ArchTest
  static final ArchRule launcherIsNotAnApplication = noClasses()
      .that().haveFullyQualifiedName("io.meridian.app.Main")
      .should().beAssignableTo(Application.class)
      .because("the JavaFX launcher refuses an Application main class from a class-path jar, "
          + "so meridian.jar's main class must be a plain class that starts the studio");

  @ArchTest
  static final ArchRule liveModelIsPure = noClasses()
      .that().haveNameMatching("io\\.meridian\\.app\\.live\\.(LiveModel|LiveState|LiveInput"
          + "|Recording|Conflicts)(\\$.*)?")
      .should().dependOnClassesThat().resideInAnyPackage("javafx..", "io.grpc..")
      .because("the live view's merging is a pure fold of inputs into states: tested without "
          + "JavaFX or sockets, and a saved recording replays into the same states (ADR 0012)");
}
