package io.meridian.visualization.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.net.URL;

/** Proves that the visualization module's own code does no networking, no file I/O, and knows nothing of the agent or the studio. */
@AnalyzeClasses(packages = "io.meridian.visualization",
    importOptions = ImportOption.DoNotIncludeTests.class)
class VisualizationArchitectureTest {

  @ArchTest
  static final ArchRule noNetworking = noClasses().should()
      .dependOnClassesThat(resideInAnyPackage("java.net..", "io.grpc..", "javax.net..")
          // Class.getResource returns a URL; naming the bundled stylesheet is not networking.
          .and(not(equivalentTo(URL.class))))
      .because("views draw values handed to them; the studio fetches data (DESIGN.md)");

  @ArchTest
  static final ArchRule noFiles = noClasses().should()
      .dependOnClassesThat().resideInAnyPackage("java.nio.file..")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileReader")
      .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileWriter")
      .because("views read only their own classpath resources; files are the studio's job");

  @ArchTest
  static final ArchRule noAgentOrApp = noClasses().should()
      .dependOnClassesThat().resideInAnyPackage("io.meridian.agent..", "io.meridian.app..")
      .because("arrows point one way: model <- visualization <- app (DESIGN.md)");

  @ArchTest
  static final ArchRule projectionIsPure = noClasses()
      .that().resideInAPackage("io.meridian.visualization.projection..")
      .should().dependOnClassesThat().resideInAnyPackage("javafx..")
      .because("projection math is unit-tested without starting JavaFX");

  @ArchTest
  static final ArchRule noModelFormatInViews = noClasses().should()
      .dependOnClassesThat().resideInAnyPackage("io.meridian.model.format..")
      .because("views take Topology values; reading and writing files is the studio's job");
}
