package dev.tcpscope.capture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The decoder is pure: bytes in, fields out; no I/O, no network, no Kafka, Avro or pcap4j. */
class ArchitectureTest {
  private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.tcpscope.capture");

  private static ArchRule staysPure(String packages) {
    return noClasses()
        .that().resideInAPackage(packages)
        .should().dependOnClassesThat().resideInAnyPackage(
            "org.apache.kafka..",
            "org.apache.avro..",
            "org.pcap4j..",
            "java.net..",
            "java.io..",
            "java.nio.file..")
        .because("decoding is pure computation on a byte array, callable from any source");
  }

  @Test
  void decoderDependsOnNoIoNetworkKafkaAvroOrPcap4j() {
    staysPure("..capture.decode..").check(MAIN_CLASSES);
  }

  @Test
  void theRuleDoesCatchAPackageThatDoesIo() {
    // The capture-file readers use java.io: the same rule must report them, or it checks nothing.
    assertThat(staysPure("..capture.pcap..").evaluate(MAIN_CLASSES).hasViolation()).isTrue();
  }
}
