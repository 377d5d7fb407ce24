package dev.tcpscope.session.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.session.engine.SessionTable.ConnectionSlot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The slot index holds what a HashMap of the same operations holds, through growth and removals. */
class SlotIndexTest {

  @Test
  void agreesWithAHashMapOverRandomPutsGetsAndRemovals() {
    Random random = new Random(7);
    // a few thousand connections, so slots empty and fill again, and chains cross the table's end
    ConnectionSlot[] universe = new ConnectionSlot[3_000];
    for (int i = 0; i < universe.length; i++) {
      universe[i] = slot(random.nextInt(256), 10_000 + random.nextInt(50_000),
          random.nextBoolean());
    }
    SlotIndex index = new SlotIndex();
    Map<ConnectionSlot, Session> model = new HashMap<>();
    List<Session> everPut = new ArrayList<>();
    for (int op = 0; op < 300_000; op++) {
      ConnectionSlot key = random.nextBoolean() ? universe[random.nextInt(universe.length)]
          : universe[random.nextInt(universe.length)].copy(); // equal, not the same object
      switch (random.nextInt(5)) {
        case 0 -> {
          // an open session, or one already ended (a restored one, or a slot's next occupant)
          Session s = random.nextInt(4) == 0 ? ended(session()) : session();
          index.put(key, s);
          model.put(key, s);
          everPut.add(s);
        }
        case 1 -> {
          // a slot's occupant, or any session ever put: one its slot no longer holds must leave
          // the slot as it is
          Session s = random.nextBoolean() || everPut.isEmpty() ? model.get(key)
              : everPut.get(random.nextInt(everPut.size()));
          if (s != null) {
            index.remove(s);
            model.remove(s.slotKey, s);
          }
        }
        case 2 -> {
          // the occupant ends in its slot and moves to the ended sessions' table
          Session s = model.get(key);
          if (s != null) {
            index.retire(ended(s));
          }
        }
        default -> assertThat(index.get(key)).isSameAs(model.get(key));
      }
      assertThat(index.size()).isEqualTo(model.size());
      if (op % 50_000 == 0) {
        for (ConnectionSlot k : universe) {
          assertThat(index.get(k)).as("slot %s at op %d", k, op).isSameAs(model.get(k));
        }
        assertIndexedExactlyWhileHeld(everPut, model);
      }
    }
    assertThat(index.sessions()).containsExactlyInAnyOrderElementsOf(model.values());
    assertIndexedExactlyWhileHeld(everPut, model);
    for (Session s : everPut) {
      index.remove(s);
    }
    assertThat(everPut).noneMatch(s -> s.indexed);
    assertThat(index.size()).isZero();
    assertThat(index.sessions()).isEmpty();
    assertThat(index.get(universe[0])).isNull();
  }

  private static Session ended(Session s) {
    s.endedBy = EndedBy.CLOSE;
    return s;
  }

  @Test
  void anEndedSessionIsFoundInItsSlotUntilANewOneTakesItOrItIsRemoved() {
    SlotIndex index = new SlotIndex();
    ConnectionSlot key = slot(1, 40_000, false);
    Session first = session();
    index.put(key, first);
    index.retire(ended(first));
    assertThat(first.retired).isTrue();
    assertThat(index.get(key.copy())).isSameAs(first);
    assertThat(index.size()).isOne();

    Session reuse = session(); // the port reused: a new session in the same slot
    index.put(key, reuse);
    assertThat(first.indexed).isFalse();
    assertThat(reuse.indexed).isTrue();
    assertThat(reuse.retired).isFalse();
    assertThat(index.get(key)).isSameAs(reuse);
    assertThat(index.size()).isOne();

    index.remove(first); // no longer in the slot: nothing happens
    assertThat(index.get(key)).isSameAs(reuse);
    index.retire(ended(reuse));
    index.remove(reuse);
    assertThat(reuse.indexed).isFalse();
    assertThat(index.get(key)).isNull();
    assertThat(index.size()).isZero();
  }

  /** The table relies on {@code indexed} instead of a lookup to know a session is still held. */
  private static void assertIndexedExactlyWhileHeld(
      List<Session> sessions, Map<ConnectionSlot, Session> model) {
    Set<Session> held = Collections.newSetFromMap(new IdentityHashMap<>());
    held.addAll(model.values());
    for (Session s : sessions) {
      assertThat(s.indexed).isEqualTo(held.contains(s));
      if (s.indexed) {
        // remove(Session) probes only the table this names
        assertThat(s.retired).as("in the ended sessions' table").isEqualTo(s.ended());
      }
    }
  }

  @Test
  void bothDirectionsOfAConnectionAreOneSlot() {
    SlotIndex index = new SlotIndex();
    ConnectionSlot forward = new ConnectionSlot();
    forward.set(new byte[] {10, 0, 0, 1}, 40_000, new byte[] {10, 0, 0, 2}, 443, 4);
    ConnectionSlot backward = new ConnectionSlot();
    backward.set(new byte[] {10, 0, 0, 2}, 443, new byte[] {10, 0, 0, 1}, 40_000, 4);
    Session s = session();
    index.put(forward, s);
    assertThat(index.get(backward)).isSameAs(s);
    index.remove(s);
    assertThat(index.get(forward)).isNull();
  }

  private static Session session() {
    return new Session(4, new byte[] {10, 0, 0, 1}, 40_000, new byte[] {10, 0, 0, 2}, 443,
        "observer", "test", false, 8, new ZeekView());
  }

  private static ConnectionSlot slot(int host, int port, boolean v6) {
    byte[] client = v6 ? new byte[16] : new byte[] {10, 0, 0, (byte) host};
    byte[] server = v6 ? new byte[16] : new byte[] {10, 0, 1, 1};
    if (v6) {
      client[0] = 0x20;
      client[15] = (byte) host;
      server[0] = 0x20;
      server[15] = 1;
      server[14] = 1;
    }
    ConnectionSlot slot = new ConnectionSlot();
    slot.set(client, port, server, 443, v6 ? 16 : 4);
    return slot;
  }
}
