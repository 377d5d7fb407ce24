package dev.tcpscope.capture.pcap;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer on the classic pcap reader and the decoder behind it; seeds and past findings under
 * {@code PcapFileReaderFuzzTestInputs} run in every {@code mvn verify}.
 */
class PcapFileReaderFuzzTest {
  @FuzzTest(maxDuration = "40s")
  void anyPcapStreamIsReadOrRefusedWithoutAnException(byte[] input) {
    CaptureFuzzing.readAndDecode(input);
  }
}
