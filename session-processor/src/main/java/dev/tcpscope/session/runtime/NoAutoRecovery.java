package dev.tcpscope.session.runtime;

import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.Status;

/**
 * Refuses RocksDB's automatic recovery from background errors. When a flush finds the disk
 * full, RocksDB's default is to wait for space: every later write of the store waits in
 * {@code DelayWrite}, the stream thread with it, and the processor looks healthy while it does
 * nothing (seen in {@code StateDirectoryFaultIT}). Refused, the write fails with RocksDB's
 * "No space left on device", the stream thread stops and the processor exits saying which
 * directory is full ({@link ProcessorRuntime#explain}). The state is a copy of the changelog,
 * so the next start loses nothing by not having waited.
 */
final class NoAutoRecovery extends AbstractEventListener {
  private NoAutoRecovery() {
    super(EnabledEventCallback.ON_ERROR_RECOVERY_BEGIN); // the only callback: no other cost
  }

  /** One listener for every store: created once RocksDB's library is loaded, never closed. */
  static NoAutoRecovery instance() {
    return Holder.INSTANCE;
  }

  @Override
  public boolean onErrorRecoveryBegin(BackgroundErrorReason reason, Status backgroundError) {
    return false;
  }

  private static final class Holder {
    static final NoAutoRecovery INSTANCE = new NoAutoRecovery();
  }
}
