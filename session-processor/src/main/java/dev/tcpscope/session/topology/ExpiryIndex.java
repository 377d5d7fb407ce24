package dev.tcpscope.session.topology;

import dev.tcpscope.session.engine.Session;
import dev.tcpscope.session.engine.SessionEngine;
import dev.tcpscope.session.topology.SessionSlots.Slot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * When each slot next needs the engine's clock: a deadline queue per observer (each observer
 * has its own capture clock), so ending idle sessions costs what expires, not what exists.
 * One entry per session: activity only moves a deadline later, and a stale entry is requeued
 * at the session's real deadline when it comes due; a new session in the slot gets its own.
 */
final class ExpiryIndex {
  private record Due(long atUs, Slot slot, Session session) implements Comparable<Due> {
    @Override
    public int compareTo(Due other) {
      return Long.compare(atUs, other.atUs);
    }
  }

  private final Map<String, PriorityQueue<Due>> byObserver = new HashMap<>();
  /** Entries taken off the queues so far: the work expiry has done. */
  private long examined;

  /** Queues the slot's session unless it already has an entry. */
  void schedule(Slot slot) {
    if (slot.queued || slot.session == null) {
      return;
    }
    slot.queued = true;
    byObserver.computeIfAbsent(slot.observer, o -> new PriorityQueue<>())
        .add(new Due(SessionEngine.nextDeadlineUs(slot.session), slot, slot.session));
  }

  /** The slot now holds another session (or none): the old entry is stale. */
  void replaced(Slot slot) {
    slot.queued = false;
  }

  /**
   * Hands every slot of the observer whose deadline is before {@code clockUs} to
   * {@code expire}, in deadline order; the slot is unqueued first, so expire may schedule it
   * again.
   */
  void due(String observer, long clockUs, Consumer<Slot> expire) {
    PriorityQueue<Due> queue = byObserver.get(observer);
    if (queue == null) {
      return;
    }
    while (!queue.isEmpty() && queue.peek().atUs < clockUs) {
      Due due = queue.poll();
      examined++;
      Slot slot = due.slot;
      if (slot.session != due.session) {
        continue; // stale: the slot moved on, and its new session has an entry of its own
      }
      long deadline = SessionEngine.nextDeadlineUs(slot.session);
      if (deadline >= clockUs) {
        queue.add(new Due(deadline, slot, slot.session)); // activity moved the deadline on
        continue;
      }
      slot.queued = false;
      expire.accept(slot);
    }
    if (queue.isEmpty()) {
      byObserver.remove(observer);
    }
  }

  /** The slots of an observer that hold a session (open, or ended and lingering). */
  List<Slot> slotsOf(String observer) {
    PriorityQueue<Due> queue = byObserver.get(observer);
    List<Slot> slots = new ArrayList<>();
    if (queue != null) {
      for (Due due : queue) {
        if (due.slot.session == due.session && due.slot.queued) {
          slots.add(due.slot);
        }
      }
    }
    return slots;
  }

  long examined() {
    return examined;
  }

  int size() {
    int n = 0;
    for (PriorityQueue<Due> queue : byObserver.values()) {
      n += queue.size();
    }
    return n;
  }

  void clear() {
    byObserver.clear();
  }
}
