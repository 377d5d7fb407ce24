package dev.tcpscope.cli.conformance;

import dev.tcpscope.session.engine.SessionReport;
import java.nio.file.Path;
import java.util.*;
import org.junit.jupiter.api.Test;

class ScratchExploreTest {
  static String tod(long us) {
    long ms = Math.floorMod(Math.floorDiv(us, 1000), 86_400_000L);
    return String.format("%02d:%02d:%02d.%03d", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
  }

  @Test
  void explore() {
    String only = System.getProperty("only", "");
    for (Path tsv : ConformanceCorpus.find("expected-miruo.tsv")) {
      Path folder = tsv.getParent();
      List<Tsv.Row> rows = Tsv.read(tsv);
      Set<String> withRows = new TreeSet<>();
      rows.forEach(r -> withRows.add(r.get("pcap")));
      List<String> captures = ConformanceCorpus.captures(folder);
      int modelMismatch = 0;
      for (String pcap : captures) {
        if (!pcap.contains(only)) continue;
        for (MiruoRule rule : MiruoRule.values()) {
          CorpusRun run = CorpusRun.of(folder.resolve(pcap), rule.settings());
          MiruoModel model = MiruoModel.run(run.packets, rule.options());
          List<String> exp = new ArrayList<>();
          for (Tsv.Row r : rows) {
            if (r.get("pcap").equals(pcap) && r.get("rule").equals(rule.name())) {
              exp.add(r.get("client") + " " + r.get("server") + " " + r.get("t0") + " " + r.get("segments") + " " + r.get("bytes"));
            }
          }
          List<String> mod = new ArrayList<>();
          for (MiruoModel.Sess s : model.printed()) {
            mod.add(s.client + " " + s.server + " " + tod(s.t0Us) + " " + s.pkall + " " + s.szall);
          }
          Collections.sort(exp);
          Collections.sort(mod);
          if (!exp.equals(mod)) {
            modelMismatch++;
            System.out.println("MODEL MISMATCH " + folder.getFileName() + "/" + pcap + " " + rule + (withRows.contains(pcap) ? "" : " (no rows at all)") + (model.stoppedAt != null ? " STOPPED" : ""));
            List<String> e2 = new ArrayList<>(exp); e2.removeAll(mod);
            List<String> m2 = new ArrayList<>(mod); m2.removeAll(exp);
            e2.forEach(x -> System.out.println("   miruo only: " + x));
            m2.forEach(x -> System.out.println("   model only: " + x));
          }
        }
      }
      System.out.println(folder + ": model mismatches " + modelMismatch);
    }
  }
}
