package org.chorus.dht.kad.wire;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** STYLE.md habit 2: protobuf types never leave {@code kad.wire}. */
@AnalyzeClasses(packages = "org.chorus.dht", importOptions = ImportOption.DoNotIncludeTests.class)
class KadWireArchitectureTest {
  @ArchTest
  static final ArchRule kadProtobufStaysInWire =
      noClasses()
          .that()
          .resideOutsideOfPackages("org.chorus.dht.kad.wire", "org.chorus.dht.kad.wire.pb")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.chorus.dht.kad.wire.pb");

  @ArchTest
  static final ArchRule restOfKadUsesNoProtobuf =
      noClasses()
          .that()
          .resideInAPackage("org.chorus.dht.kad..")
          .and()
          .resideOutsideOfPackages("org.chorus.dht.kad.wire", "org.chorus.dht.kad.wire.pb")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("com.google.protobuf..");
}
