package dev.tcpscope.web;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** What the page shows is pure; Kafka stays in the feed and HTTP in the server. */
class ArchitectureTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.tcpscope.web");

  @Test
  void boardsUseNoKafkaNetworkOrFiles() {
    noClasses().that().resideInAPackage("..web.board..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "java.net..",
            "java.nio.file..", "com.sun.net.httpserver..", "..web.feed..", "..web.http..")
        .check(classes);
  }

  @Test
  void theServerKnowsNoKafkaAndTheFeedNoHttp() {
    noClasses().that().resideInAPackage("..web.http..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "..web.feed..",
            "..web.board..")
        .check(classes);
    noClasses().that().resideInAPackage("..web.feed..")
        .should().dependOnClassesThat().resideInAnyPackage("com.sun.net.httpserver..",
            "..web.http..", "..web.board..")
        .check(classes);
  }
}
