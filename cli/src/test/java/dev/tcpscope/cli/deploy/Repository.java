package dev.tcpscope.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;

/** The repository the deployment files live in, and how its files are read by the tests. */
final class Repository {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Repository() {}

  static Path file(String relative) {
    Path p = ROOT.resolve(relative);
    assertThat(p).as("%s in the repository", relative).isRegularFile();
    return p;
  }

  static JsonNode yaml(String relative) throws IOException {
    return YAML.readTree(file(relative).toFile());
  }

  /** Every document of a multi-document YAML file (Kubernetes manifests). */
  static List<JsonNode> yamlDocuments(String relative) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(file(relative).toFile())) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  /** A property of the parent pom's {@code <properties>}. */
  static String pomProperty(String name) throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(file("pom.xml").toFile());
    Element properties = (Element) doc.getDocumentElement().getElementsByTagName("properties").item(0);
    var nodes = properties.getElementsByTagName(name);
    assertThat(nodes.getLength()).as("pom property " + name).isEqualTo(1);
    return nodes.item(0).getTextContent().strip();
  }
}
