package dev.tcpscope.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.schemas.v1.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The wire contract across versions: every schema in {@code src/main/avro} must read records
 * written with each released version of it (new consumers, old producers: a rolling upgrade, or
 * segments still retained), and each released version must read records written with the
 * current schema (old consumers, new producers). A change that breaks either fails here; to
 * release one, see the README's "Releasing a schema change".
 */
class SchemaEvolutionTest {
  private static final Path AVRO = Path.of("src/main/avro");
  private static final Path RELEASED = Path.of("src/main/resources" + ReleasedSchemas.ROOT);

  @Test
  void everyCurrentSchemaAndEveryReleasedVersionReadEachOthersRecords() throws IOException {
    Map<String, Schema> current = currentSchemas();
    Map<String, Map<String, Schema>> released = ReleasedSchemas.byVersion();
    assertThat(released).as("released versions").isNotEmpty();

    List<String> problems = new ArrayList<>();
    int pairs = 0;
    for (var version : released.entrySet()) {
      for (Schema old : version.getValue().values()) {
        Schema now = current.get(old.getFullName());
        if (now == null) {
          problems.add(old.getFullName() + " (released in " + version.getKey()
              + ") is gone: its consumers would find no schema for their topic");
          continue;
        }
        pairs++;
        problems.addAll(incompatibilities(version.getKey(), old, now));
      }
    }
    assertThat(problems).as("schema changes that break readers").isEmpty();
    assertThat(pairs).isGreaterThanOrEqualTo(current.size());
  }

  @Test
  void theIndexListsEveryReleasedFileAndOnlyThose() throws IOException {
    List<String> onDisk;
    try (Stream<Path> files = Files.walk(RELEASED)) {
      onDisk = files.filter(f -> f.toString().endsWith(".avsc"))
          .map(f -> RELEASED.relativize(f).toString().replace('\\', '/')).sorted().toList();
    }
    assertThat(ReleasedSchemas.index().stream().sorted().toList()).isEqualTo(onDisk);
  }

  @Test
  void everyCurrentSchemaHasBeenReleasedUnderItsName() throws IOException {
    // A new record type is fine before its first release; today every one has been released.
    assertThat(ReleasedSchemas.byVersion().values().stream()
        .flatMap(v -> v.keySet().stream()).collect(Collectors.toSet()))
        .containsAll(currentSchemas().keySet());
  }

  @Test
  void theCheckRejectsChangesThatWouldBreakEitherSide() {
    // Today's TcpSegment taken as the released version, each change as the next one.
    Schema now = TcpSegment.getClassSchema();
    // A new field without a default: new readers cannot fill it in from old records.
    Schema withRequiredField =
        withField(now, new Schema.Field("vlan", Schema.create(Schema.Type.INT)));
    assertThat(incompatibilities("released", now, withRequiredField))
        .singleElement().asString().contains("current reads 'released' records", "vlan");
    // A field's type narrowed: records of the other side no longer decode.
    String json = now.toString().replace("\"name\":\"window\",\"type\":\"int\"",
        "\"name\":\"window\",\"type\":\"string\"");
    assertThat(json).isNotEqualTo(now.toString());
    Schema retyped = new Schema.Parser().parse(json);
    assertThat(incompatibilities("released", now, retyped)).hasSize(2);
    // A new optional field with a default is the way to grow: both sides read on.
    Schema withOptionalField = withField(now, new Schema.Field("vlan",
        Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.INT)),
        "802.1Q tag, when the frame had one.", Schema.Field.NULL_DEFAULT_VALUE));
    assertThat(incompatibilities("released", now, withOptionalField)).isEmpty();
  }

  @Test
  void recordsWrittenWithEachReleasedSchemaDecodeWithTheCurrentSerdes() throws Exception {
    for (Map<String, Schema> version : ReleasedSchemas.byVersion().values()) {
      for (Schema old : version.values()) {
        SingleObjectSerde<?> serde = serdeFor(old.getFullName());
        if (serde == null) {
          continue; // ShownSegment only travels inside SuspiciousSession
        }
        byte[] bytes = encode(old, sample(old));
        assertThat(serde.isEncodedWithThisSchema(bytes)).as(old.getFullName()).isTrue();
        assertThat(serde.decode(bytes)).as(old.getFullName()).isNotNull();
      }
    }
  }

  @Test
  void aRecordOfAnEarlierSchemaIsResolvedNotRefused() throws Exception {
    // An earlier TcpSegment without http_line (optional, default null), as 0.1.0's own history
    // is still a single version: its records must decode to http_line == null.
    Schema now = TcpSegment.getClassSchema();
    Schema earlier = withoutField(now, "http_line");
    GenericRecord datum = sample(earlier);
    byte[] bytes = encode(earlier, datum);

    SingleObjectSerde<TcpSegment> serde =
        new SingleObjectSerde<>(TcpSegment.class, now, List.of(earlier));
    assertThat(serde.isEncodedWithThisSchema(bytes)).isTrue();
    TcpSegment decoded = serde.decode(bytes);
    assertThat(decoded.getHttpLine()).isNull();
    assertThat(decoded.getObserver()).isEqualTo(datum.get("observer").toString());

    SingleObjectSerde<TcpSegment> unaware =
        new SingleObjectSerde<>(TcpSegment.class, now, List.of());
    assertThat(unaware.isEncodedWithThisSchema(bytes)).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> unaware.decode(bytes))
        .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
  }

  /** What stops one side from reading the other's records, in words; empty when both can. */
  static List<String> incompatibilities(String version, Schema old, Schema now) {
    List<String> problems = new ArrayList<>();
    var newReadsOld = SchemaCompatibility.checkReaderWriterCompatibility(now, old);
    if (newReadsOld.getType() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add(now.getFullName() + ": current reads '" + version + "' records: "
          + newReadsOld.getResult().getIncompatibilities());
    }
    var oldReadsNew = SchemaCompatibility.checkReaderWriterCompatibility(old, now);
    if (oldReadsNew.getType() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add(now.getFullName() + ": '" + version + "' reads current records: "
          + oldReadsNew.getResult().getIncompatibilities());
    }
    return problems;
  }

  /** The schemas of src/main/avro by full name, parsed as the build parses them. */
  static Map<String, Schema> currentSchemas() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(AVRO)) {
      files = walk.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
    }
    Map<String, Schema> schemas = new LinkedHashMap<>();
    // Types other schemas refer to must be parsed first: retry until every file parses.
    Schema.Parser parser = new Schema.Parser();
    List<Path> left = new ArrayList<>(files);
    while (!left.isEmpty()) {
      int before = left.size();
      for (var it = left.iterator(); it.hasNext(); ) {
        Path file = it.next();
        try {
          Schema schema = parser.parse(Files.readString(file));
          schemas.put(schema.getFullName(), schema);
          it.remove();
        } catch (org.apache.avro.SchemaParseException e) {
          if (!String.valueOf(e.getMessage()).contains("ndefined name")) {
            throw e;
          }
        }
      }
      assertThat(left.size()).as("schemas that refer to unknown types: " + left).isLessThan(before);
    }
    return schemas;
  }

  private static SingleObjectSerde<?> serdeFor(String fullName) throws Exception {
    for (var method : TcpscopeSerdes.class.getMethods()) {
      if (method.getReturnType() == SingleObjectSerde.class && method.getParameterCount() == 0) {
        Class<?> type = Class.forName(fullName);
        if (SpecificRecord.class.isAssignableFrom(type)
            && method.getGenericReturnType().getTypeName().endsWith("<" + type.getName() + ">")) {
          return (SingleObjectSerde<?>) method.invoke(null);
        }
      }
    }
    return null;
  }

  private static byte[] encode(Schema schema, GenericRecord datum) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(datum, out);
    return out.toByteArray();
  }

  /** A record with a value in every field (the last branch of a union: not null). */
  static GenericRecord sample(Schema schema) {
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      record.put(field.pos(), value(field.schema()));
    }
    return record;
  }

  private static Object value(Schema schema) {
    return switch (schema.getType()) {
      case RECORD -> sample(schema);
      case STRING -> "x";
      case BYTES -> ByteBuffer.wrap(new byte[] {10, 0, 0, 1});
      case INT -> 7;
      case LONG -> 7L;
      case FLOAT -> 0.5f;
      case DOUBLE -> 0.5;
      case BOOLEAN -> true;
      case NULL -> null;
      case ARRAY -> List.of(value(schema.getElementType()));
      case MAP -> Map.of("k", value(schema.getValueType()));
      case ENUM -> new GenericData.EnumSymbol(schema, schema.getEnumSymbols().get(0));
      case FIXED -> new GenericData.Fixed(schema, new byte[schema.getFixedSize()]);
      case UNION -> value(schema.getTypes().get(schema.getTypes().size() - 1));
    };
  }

  private static Schema withField(Schema schema, Schema.Field added) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(added);
    return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false,
        fields);
  }

  private static Schema withoutField(Schema schema, String name) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      if (!f.name().equals(name)) {
        fields.add(new Schema.Field(f, f.schema()));
      }
    }
    assertThat(fields).hasSize(schema.getFields().size() - 1);
    return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false,
        fields);
  }
}
