package dev.tcpscope.cli.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A tab-separated file with a header line, read as rows of named columns. */
final class Tsv {
  /** One row; {@code line} is its line number in the file (the header is line 1). */
  record Row(Path file, int line, Map<String, String> columns) {
    String get(String name) {
      String value = columns.get(name);
      if (value == null) {
        throw new IllegalArgumentException(file + ":" + line + ": no column " + name);
      }
      return value;
    }

    @Override
    public String toString() {
      return file.getFileName() + ":" + line;
    }
  }

  private Tsv() {}

  static List<Row> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Row> rows = new ArrayList<>();
    if (lines.isEmpty()) {
      return rows;
    }
    String[] header = lines.get(0).split("\t", -1);
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] cells = line.split("\t", -1);
      Map<String, String> columns = new HashMap<>();
      for (int c = 0; c < header.length && c < cells.length; c++) {
        columns.put(header[c], cells[c]);
      }
      rows.add(new Row(file, i + 1, columns));
    }
    return rows;
  }
}
