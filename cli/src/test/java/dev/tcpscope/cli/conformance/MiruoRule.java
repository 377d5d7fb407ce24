package dev.tcpscope.cli.conformance;

import dev.tcpscope.session.engine.RuleSettings;

/**
 * The rules of expected-miruo.tsv, each with the options miruo ran with (corpus/README.md),
 * as tcpscope settings and as the miruo model's options. Limits stay at tcpscope's defaults.
 */
enum MiruoRule {
  RST(1, 0, false, false, 0, 0, false),
  RST_ALL(2, 0, false, false, 0, 0, false),
  RETRANSMIT(0, 1000, false, false, 0, 0, false),
  RETRANSMIT_200(0, 200, false, false, 0, 0, false),
  SYN_RETRANSMIT(0, 0, true, false, 0, 0, false),
  FRAGMENT(0, 0, false, true, 0, 0, false),
  LONG_CONNECT_1000(0, 0, false, false, 1000, 0, false),
  LONG_DELAY_500(0, 0, false, false, 0, 500, false),
  ALL(0, 0, false, false, 0, 0, true);

  final int rstMode;
  final long retransmitMs;
  final boolean syn;
  final boolean fragment;
  final long longConnectMs;
  final long longDelayMs;
  final boolean all;

  MiruoRule(int rstMode, long retransmitMs, boolean syn, boolean fragment, long longConnectMs,
      long longDelayMs, boolean all) {
    this.rstMode = rstMode;
    this.retransmitMs = retransmitMs;
    this.syn = syn;
    this.fragment = fragment;
    this.longConnectMs = longConnectMs;
    this.longDelayMs = longDelayMs;
    this.all = all;
  }

  RuleSettings settings() {
    RuleSettings d = RuleSettings.defaults();
    return new RuleSettings(longConnectMs, longDelayMs, retransmitMs, syn, rstMode, fragment, all,
        d.sessionLimit(), d.segmentLimit(), d.viewData(), false);
  }

  MiruoModel.Options options() {
    return new MiruoModel.Options(rstMode, retransmitMs, syn, fragment, longConnectMs, longDelayMs,
        all);
  }
}
