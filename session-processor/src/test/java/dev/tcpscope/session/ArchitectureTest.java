package dev.tcpscope.session;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine and the formatters are pure; the viewer does not reach into the topology. */
class ArchitectureTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.tcpscope.session");

  @Test
  void engineAndFormattersUseNoKafkaAvroNetworkOrFiles() {
    noClasses().that().resideInAnyPackage("..session.engine..", "..session.format..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..",
            "org.apache.avro..", "org.pcap4j..", "java.net..", "java.nio.file..",
            "dev.tcpscope.schemas..", "..session.topology..", "..session.runtime..",
            "..session.viewer..")
        .check(classes);
  }

  @Test
  void viewerDoesNotDependOnTheTopology() {
    noClasses().that().resideInAPackage("..session.viewer..")
        .should().dependOnClassesThat().resideInAnyPackage("..session.topology..",
            "..session.runtime..")
        .check(classes);
  }
}
