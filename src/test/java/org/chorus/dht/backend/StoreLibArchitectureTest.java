package org.chorus.dht.backend;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The plain-Java libraries under the service import no Spring, and {@code ucxl} is a leaf. */
class StoreLibArchitectureTest {

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(
              "org.chorus.dht.ucxl",
              "org.chorus.dht.backend",
              "org.chorus.dht.store",
              "org.chorus.dht.storage.audit",
              "org.chorus.dht.storage.index");

  @Test
  void libraryPackagesDoNotUseSpring() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "org.chorus.dht.ucxl..",
            "org.chorus.dht.store..",
            "org.chorus.dht.storage.audit..",
            "org.chorus.dht.storage.index..")
        .or()
        .haveSimpleNameStartingWith("LocalDht")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.springframework..")
        .check(CLASSES);
  }

  @Test
  void ucxlIsALeaf() {
    noClasses()
        .that()
        .resideInAPackage("org.chorus.dht.ucxl..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.chorus.dht.backend..",
            "org.chorus.dht.storage..",
            "org.chorus.dht.kad..",
            "org.chorus.dht.p2p..")
        .check(CLASSES);
  }
}
