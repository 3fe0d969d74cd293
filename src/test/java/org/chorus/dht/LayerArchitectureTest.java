package org.chorus.dht;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RestController;

/** The layer rules of DESIGN.md and STYLE.md, checked on the production classes. */
@AnalyzeClasses(packages = "org.chorus.dht", importOptions = ImportOption.DoNotIncludeTests.class)
class LayerArchitectureTest {

  /**
   * {@code store} (MVStore opening, group commit) is a neutral helper under both {@code kad} (the
   * persistent record and provider stores) and {@code backend}/{@code storage}, so it obeys the
   * leaf rules too. {@code envelope} (the signed UCXL content envelope format) likewise sits under
   * both {@code storage}, which seals envelopes, and {@code kad.records}, which validates them.
   */
  private static final String[] LEAVES = {
    "org.chorus.dht.p2p..",
    "org.chorus.dht.kad..",
    "org.chorus.dht.age..",
    "org.chorus.dht.ucxl..",
    "org.chorus.dht.store..",
    "org.chorus.dht.envelope.."
  };

  private static final String[] ABOVE_LEAVES = {
    "org.chorus.dht.backend..",
    "org.chorus.dht.storage..",
    "org.chorus.dht.peers..",
    "org.chorus.dht.roles..",
    "org.chorus.dht.replication..",
    "org.chorus.dht.health..",
    "org.chorus.dht.system.."
  };

  private static final String[] FEATURES = {
    "org.chorus.dht.storage..",
    "org.chorus.dht.peers..",
    "org.chorus.dht.roles..",
    "org.chorus.dht.replication..",
    "org.chorus.dht.health.."
  };

  @ArchTest
  static final ArchRule leavesUseNoSpring =
      noClasses()
          .that()
          .resideInAnyPackage(LEAVES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "jakarta.servlet..")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule leavesUseNothingAboveThem =
      noClasses()
          .that()
          .resideInAnyPackage(LEAVES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(ABOVE_LEAVES)
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule ageAndUcxlAreIndependentLeaves =
      noClasses()
          .that()
          .resideInAnyPackage("org.chorus.dht.age..", "org.chorus.dht.ucxl..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.chorus.dht.p2p..", "org.chorus.dht.kad..")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule backendUsesNoSpringAndNothingAbove =
      noClasses()
          .that()
          .resideInAPackage("org.chorus.dht.backend..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "org.chorus.dht.storage..",
              "org.chorus.dht.peers..",
              "org.chorus.dht.roles..",
              "org.chorus.dht.replication..",
              "org.chorus.dht.health..",
              "org.chorus.dht.system..");

  @ArchTest
  static final ArchRule systemDoesNotReachUpIntoFeatures =
      noClasses()
          .that()
          .resideInAPackage("org.chorus.dht.system..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(FEATURES);

  /** No package, feature or not, reaches into another package's controllers. */
  @ArchTest
  static final ArchRule controllersAreUsedOnlyInTheirOwnPackage =
      classes()
          .that()
          .areAnnotatedWith(RestController.class)
          .should(
              new ArchCondition<JavaClass>("be used only from their own package") {
                @Override
                public void check(JavaClass controller, ConditionEvents events) {
                  for (Dependency d : controller.getDirectDependenciesToSelf()) {
                    JavaClass origin = d.getOriginClass();
                    if (!origin.getPackageName().equals(controller.getPackageName())) {
                      events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                  }
                }
              });

  @ArchTest
  static final ArchRule controllersArePackagePrivate =
      classes()
          .that()
          .areAnnotatedWith(RestController.class)
          .should()
          .notHaveModifier(JavaModifier.PUBLIC);

  @ArchTest
  static final ArchRule configurationsAreLiteMode =
      classes()
          .that()
          .areAnnotatedWith(Configuration.class)
          .should()
          .notHaveModifier(JavaModifier.PUBLIC);

  @ArchTest
  static final ArchRule noFieldInjection = fields().should().notBeAnnotatedWith(Autowired.class);

  @ArchTest
  static final ArchRule storageEnvelopeAndIndexAreSpringFree =
      noClasses()
          .that()
          .resideInAnyPackage(
              "org.chorus.dht.storage.envelope..",
              "org.chorus.dht.storage.audit..",
              "org.chorus.dht.storage.index..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.springframework..");
}
