package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.cli.demo.DemoCapture;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class DemoCaptureTest {

  @Test
  void bundledCaptureIsExactlyWhatTheGeneratorWrites() throws Exception {
    ByteArrayOutputStream generated = new ByteArrayOutputStream();
    DemoCapture.write(generated);
    try (InputStream bundled = DemoCapture.class.getResourceAsStream(DemoCapture.RESOURCE)) {
      assertThat(bundled).as("bundled demo capture").isNotNull();
      assertThat(bundled.readAllBytes()).isEqualTo(generated.toByteArray());
    }
  }
}
