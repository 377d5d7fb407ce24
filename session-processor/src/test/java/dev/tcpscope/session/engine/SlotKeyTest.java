package dev.tcpscope.session.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The slot key is the state store's key, on the changelog topics too: its bytes must stay what
 * earlier versions wrote, or a processor upgraded in place would no longer find its sessions.
 */
class SlotKeyTest {

  @Test
  void anIpv4KeyIsTheLowerEndpointFirstEachAddressInTheLowBytesOfSixteen() {
    byte[] client = {10, 0, 0, (byte) 200};
    byte[] server = {(byte) 192, (byte) 168, 1, 1};

    byte[] key = SessionTable.slotKey(server, 443, client, 40_000);

    byte[] expected = new byte[SessionTable.SLOT_KEY_BYTES];
    System.arraycopy(client, 0, expected, 12, 4); // 10.0.0.200 is the lower address
    System.arraycopy(server, 0, expected, 28, 4);
    expected[32] = (byte) (40_000 >> 8);
    expected[33] = (byte) 40_000;
    expected[34] = (byte) (443 >> 8);
    expected[35] = (byte) 443;
    expected[36] = 4;
    assertThat(key).containsExactly(expected);
    assertThat(SessionTable.slotKey(client, 40_000, server, 443)).containsExactly(expected);
  }

  @Test
  void anIpv6KeyHoldsBothAddressesWholeAndTheSameAddressOrdersByPort() {
    byte[] a = new byte[16];
    byte[] b = new byte[16];
    for (int i = 0; i < 16; i++) {
      a[i] = (byte) (0x20 + i);
      b[i] = (byte) (0x20 + i);
    }
    b[15] = (byte) 0xff; // above a: bytes compare unsigned

    byte[] key = SessionTable.slotKey(b, 80, a, 50_000);

    assertThat(java.util.Arrays.copyOfRange(key, 0, 16)).containsExactly(a);
    assertThat(java.util.Arrays.copyOfRange(key, 16, 32)).containsExactly(b);
    assertThat(key[36]).isEqualTo((byte) 16);

    byte[] same = SessionTable.slotKey(a, 50_000, a, 80); // one host talking to itself
    assertThat(same[32] << 8 | same[33] & 0xff).isEqualTo(80);
    assertThat((same[34] & 0xff) << 8 | same[35] & 0xff).isEqualTo(50_000);
  }
}
