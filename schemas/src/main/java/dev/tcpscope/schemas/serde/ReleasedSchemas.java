package dev.tcpscope.schemas.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The schemas of every released tcpscope version, kept as they were released
 * ({@code dev/tcpscope/schemas/released/<version>/*.avsc}, listed in {@code released/index}).
 *
 * <p>Single-object encoding names the writer's schema by fingerprint only, so a consumer can
 * resolve a record written by an older producer only if it knows that producer's schema: the
 * serdes register these, and consumers of this version read what every released producer
 * wrote. {@code SchemaEvolutionTest} checks that each current schema and each released one can
 * read each other's records.
 */
public final class ReleasedSchemas {
  static final String ROOT = "/dev/tcpscope/schemas/released/";

  private static volatile Map<String, Map<String, Schema>> loaded;

  private ReleasedSchemas() {}

  /** Released version (as listed) to its schemas by full name, each version parsed on its own. */
  public static Map<String, Map<String, Schema>> byVersion() {
    Map<String, Map<String, Schema>> versions = loaded;
    if (versions == null) {
      versions = Collections.unmodifiableMap(load());
      loaded = versions;
    }
    return versions;
  }

  private static Map<String, Map<String, Schema>> load() {
    Map<String, List<String>> files = new LinkedHashMap<>();
    for (String line : index()) {
      int slash = line.indexOf('/');
      if (slash <= 0) {
        throw new IllegalStateException("released/index: not VERSION/FILE.avsc: " + line);
      }
      files.computeIfAbsent(line.substring(0, slash), v -> new ArrayList<>()).add(line);
    }
    Map<String, Map<String, Schema>> versions = new LinkedHashMap<>();
    files.forEach((version, paths) -> {
      // One parser per version: a version's schemas refer to each other by name.
      Schema.Parser parser = new Schema.Parser();
      Map<String, Schema> schemas = new LinkedHashMap<>();
      for (String path : paths) {
        try (InputStream in = open(ROOT + path)) {
          Schema schema = parser.parse(in);
          schemas.put(schema.getFullName(), schema);
        } catch (IOException e) {
          throw new UncheckedIOException("released/" + path, e);
        }
      }
      versions.put(version, Collections.unmodifiableMap(schemas));
    });
    return versions;
  }

  /** Every released schema of the record type with this full name, oldest first. */
  public static List<Schema> of(String fullName) {
    List<Schema> found = new ArrayList<>();
    for (Map<String, Schema> version : byVersion().values()) {
      Schema schema = version.get(fullName);
      if (schema != null) {
        found.add(schema);
      }
    }
    return found;
  }

  /** The index's entries ("0.1.0/TcpSegment.avsc"), comments and blank lines left out. */
  public static List<String> index() {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(open(ROOT + "index"), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String entry = line.strip();
        if (!entry.isEmpty() && !entry.startsWith("#")) {
          lines.add(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("released/index", e);
    }
    return lines;
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = ReleasedSchemas.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("missing resource " + resource);
    }
    return in;
  }
}
