package dev.tcpscope.capture.pcap;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer on the pcapng reader (sections, interfaces, resolutions, three packet blocks) and the
 * decoder behind it; seeds and past findings under {@code PcapngFileReaderFuzzTestInputs}.
 */
class PcapngFileReaderFuzzTest {
  @FuzzTest(maxDuration = "40s")
  void anyPcapngStreamIsReadOrRefusedWithoutAnException(byte[] input) {
    CaptureFuzzing.readAndDecode(input);
  }
}
