package org.chorus.dht.p2p;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** p2p stays Spring-free, and the contract packages stay Netty-free (upper layers never see it). */
class P2pArchitectureTest {
  static final JavaClasses P2P =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.chorus.dht.p2p");

  @Test
  void noSpring() {
    noClasses()
        .that()
        .resideInAPackage("org.chorus.dht.p2p..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.springframework..")
        .check(P2P);
  }

  @Test
  void contractPackagesDoNotSeeNetty() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "org.chorus.dht.p2p.core..",
            "org.chorus.dht.p2p.crypto..",
            "org.chorus.dht.p2p.protocol..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty..")
        .check(P2P);
  }

  @Test
  void nothingBelowTheHostDependsOnIt() {
    noClasses()
        .that()
        .resideInAPackage("org.chorus.dht.p2p..")
        .and()
        .resideOutsideOfPackage("org.chorus.dht.p2p.host..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.chorus.dht.p2p.host..")
        .check(P2P);
  }
}
