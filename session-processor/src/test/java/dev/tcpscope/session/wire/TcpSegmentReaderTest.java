package dev.tcpscope.session.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.v1.TcpSegment;
import dev.tcpscope.session.engine.Segment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class TcpSegmentReaderTest {
  private final SingleObjectSerde<TcpSegment> serde = TcpscopeSerdes.tcpSegment();

  @Test
  void knowsEveryFieldOfTheSchemaSoItDecodesTheCurrentVersionItself() {
    // A field added to TcpSegment.avsc must be added to the reader (or it falls back to Avro).
    assertThat(TcpSegment.getClassSchema().getFields().stream().map(Schema.Field::name))
        .containsExactlyElementsOf(TcpSegmentReader.FIELDS);
    assertThat(new TcpSegmentReader().fast()).isTrue();
  }

  private static TcpSegment random(Random r) {
    int length = r.nextBoolean() ? 4 : 16;
    byte[] src = new byte[length];
    byte[] dst = new byte[length];
    r.nextBytes(src);
    r.nextBytes(dst);
    byte[] options = new byte[r.nextInt(41)];
    r.nextBytes(options);
    return TcpSegment.newBuilder()
        .setObserver(r.nextBoolean() ? "host-" + r.nextInt(100) : "ホスト-" + r.nextInt(3))
        .setSource(r.nextBoolean() ? "eth0" : "/captures/" + r.nextLong() + ".pcap")
        .setTsUs(r.nextLong())
        .setSrcIp(ByteBuffer.wrap(src)).setSrcPort(r.nextInt(65536))
        .setDstIp(ByteBuffer.wrap(dst)).setDstPort(r.nextInt(65536))
        .setSeq(r.nextLong() & 0xffffffffL).setAck(r.nextLong() & 0xffffffffL)
        .setFlags(r.nextInt(512)).setWindow(r.nextInt(65536))
        .setPayloadLength(r.nextInt(70000)).setFrameLength(r.nextInt(70000))
        .setFragmented(r.nextBoolean()).setOptions(ByteBuffer.wrap(options))
        .setPayloadCaptured(r.nextBoolean() ? null : r.nextInt(70000))
        .setHttpLine(r.nextInt(4) == 0 ? "GET /index.html HTTP/1.1" : null)
        .build();
  }

  @Test
  void decodesExactlyWhatAvroDecodes() {
    Random r = new Random(7);
    TcpSegmentReader reader = new TcpSegmentReader();
    Segment fast = new Segment();
    Segment viaAvro = new Segment();
    for (int i = 0; i < 5000; i++) {
      byte[] record = serde.encode(random(r));
      reader.read(record, fast);
      TcpSegment decoded = serde.decode(record);
      TcpSegmentMapper.copy(decoded, viaAvro);
      assertThat(reader.observer()).isEqualTo(decoded.getObserver());
      assertThat(reader.source()).isEqualTo(decoded.getSource());
      assertThat(fast).usingRecursiveComparison().ignoringFields("options", "srcIp", "dstIp")
          .isEqualTo(viaAvro);
      assertThat(Arrays.copyOf(fast.srcIp, fast.addressLength))
          .isEqualTo(Arrays.copyOf(viaAvro.srcIp, viaAvro.addressLength));
      assertThat(Arrays.copyOf(fast.dstIp, fast.addressLength))
          .isEqualTo(Arrays.copyOf(viaAvro.dstIp, viaAvro.addressLength));
      assertThat(Arrays.copyOf(fast.options, fast.optionsLength))
          .isEqualTo(Arrays.copyOf(viaAvro.options, viaAvro.optionsLength));
    }
  }

  @Test
  void everyTruncationAndRandomDamageIsASerializationErrorNeverAnotherException() {
    Random r = new Random(11);
    TcpSegmentReader reader = new TcpSegmentReader();
    Segment s = new Segment();
    for (int i = 0; i < 300; i++) {
      byte[] record = serde.encode(random(r));
      for (int cut = 0; cut < record.length; cut++) {
        byte[] truncated = Arrays.copyOf(record, cut);
        assertThatThrownBy(() -> reader.read(truncated, s))
            .isInstanceOfAny(SerializationException.class, IllegalArgumentException.class)
            .hasMessageContaining(cut < 10 ? "TcpSegment" : "");
      }
      byte[] damaged = record.clone();
      for (int k = 0; k < 4; k++) {
        damaged[10 + r.nextInt(record.length - 10)] = (byte) r.nextInt();
      }
      try {
        reader.read(damaged, s);
      } catch (SerializationException | IllegalArgumentException expected) {
        // either it still decodes (a changed number) or it is refused with a reason
      }
    }
  }

  @Test
  void addressesOfDifferentLengthsAreRefused() {
    TcpSegment mixed = random(new Random(3));
    mixed.setSrcIp(ByteBuffer.wrap(new byte[4]));
    mixed.setDstIp(ByteBuffer.wrap(new byte[16]));
    assertThatThrownBy(() -> new TcpSegmentReader().read(serde.encode(mixed), new Segment()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("addresses");
  }
}
