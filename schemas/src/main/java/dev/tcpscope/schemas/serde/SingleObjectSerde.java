package dev.tcpscope.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro class using Avro's single-object encoding: a two-byte
 * marker, the writer schema's 64-bit fingerprint, then the binary datum. Consumers in any
 * language can check the fingerprint against the published .avsc; no registry is needed.
 * Records written with a released earlier version of the schema ({@link ReleasedSchemas}) are
 * resolved to the current one.
 *
 * <p>Input that is not a single-object-encoded record of this schema fails with a {@link
 * SerializationException} naming the cause, which Streams hands to its deserialization
 * exception handler (the dead-letter path) instead of stopping.
 */
public final class SingleObjectSerde<T extends SpecificRecord> implements Serde<T> {

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  /** The current schema's fingerprint first, then those of its released versions. */
  private final byte[][] fingerprints;

  public SingleObjectSerde(Class<T> type, Schema schema) {
    this(type, schema, ReleasedSchemas.of(schema.getFullName()));
  }

  /**
   * @param released the schemas earlier producers wrote this record type with: their records
   *     are resolved to {@code schema} (Avro's schema resolution), not refused
   */
  SingleObjectSerde(Class<T> type, Schema schema, List<Schema> released) {
    this.type = type;
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    List<byte[]> prints = new ArrayList<>();
    prints.add(fingerprintOf(schema));
    for (Schema writer : released) {
      byte[] print = fingerprintOf(writer);
      if (prints.stream().noneMatch(p -> Arrays.equals(p, print))) {
        prints.add(print);
        decoder.addSchema(writer);
      }
    }
    this.fingerprints = prints.toArray(new byte[0][]);
  }

  /** Single-object header: C3 01, then the CRC-64-AVRO fingerprint, little-endian. */
  private static byte[] fingerprintOf(Schema schema) {
    long print = SchemaNormalization.parsingFingerprint64(schema);
    byte[] bytes = new byte[8];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (print >>> (8 * i));
    }
    return bytes;
  }

  /** Encodes one record; the encoder keeps a thread-local buffer, so this is thread safe. */
  public byte[] encode(T datum) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try {
      encoder.encode(datum, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes one record.
   *
   * @throws SerializationException when the bytes are not a record of this schema
   */
  public T decode(byte[] data) {
    try {
      return decoder.decode(data);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "not a single-object-encoded " + type.getSimpleName() + " record: " + describe(e), e);
    }
  }

  /**
   * True when the bytes start with the single-object marker and the fingerprint of this schema
   * or of one of its released versions: how a consumer tells record types apart on a topic that
   * carries more than one.
   */
  public boolean isEncodedWithThisSchema(byte[] data) {
    if (data == null || data.length < 10 || data[0] != (byte) 0xC3 || data[1] != 0x01) {
      return false;
    }
    for (byte[] print : fingerprints) {
      if (Arrays.equals(data, 2, 10, print, 0, 8)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> data == null ? null : encode(data);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> data == null ? null : decode(data);
  }
}
