package dev.tcpscope.cli.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Dockerfile read the way the builder reads it, as far as the tests need: its stages, and for
 * the final image the instructions of the stages it is built on (ENV, USER, ENTRYPOINT, ...).
 */
final class Dockerfile {
  /** One instruction: its keyword in upper case and its arguments, continuation lines joined. */
  record Instruction(String keyword, String arguments) {}

  /** One stage: its base image (or earlier stage) and alias. */
  record Stage(String base, String alias, List<Instruction> instructions) {}

  final List<Stage> stages = new ArrayList<>();

  Dockerfile(Path file) throws IOException {
    StringBuilder logical = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      String stripped = line.strip();
      if (logical.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
        continue;
      }
      if (!logical.isEmpty() && stripped.startsWith("#")) {
        continue; // comments inside a continued instruction
      }
      if (stripped.endsWith("\\")) {
        logical.append(stripped, 0, stripped.length() - 1).append(' ');
        continue;
      }
      logical.append(stripped);
      add(logical.toString());
      logical.setLength(0);
    }
  }

  private void add(String instruction) {
    String[] parts = instruction.split("\\s+", 2);
    String keyword = parts[0].toUpperCase(Locale.ROOT);
    String arguments = parts.length > 1 ? parts[1].strip() : "";
    if (keyword.equals("FROM")) {
      String[] from = arguments.split("\\s+");
      String alias = from.length >= 3 && from[1].equalsIgnoreCase("AS") ? from[2] : null;
      stages.add(new Stage(from[0], alias, new ArrayList<>()));
      return;
    }
    stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, arguments));
  }

  /** The final image's stage, then the stages it is built on, nearest first. */
  List<Stage> finalImageChain() {
    List<Stage> chain = new ArrayList<>();
    Stage s = stages.get(stages.size() - 1);
    while (s != null) {
      chain.add(s);
      String base = s.base();
      s = stages.stream().filter(t -> base.equals(t.alias())).findFirst().orElse(null);
    }
    return chain;
  }

  /** The image the final one starts from (a registry image, not a stage). */
  String runtimeBaseImage() {
    List<Stage> chain = finalImageChain();
    return chain.get(chain.size() - 1).base();
  }

  /** The last value of this instruction in the final image, or null. */
  String last(String keyword) {
    for (Stage s : finalImageChain()) {
      List<Instruction> in = s.instructions();
      for (int i = in.size() - 1; i >= 0; i--) {
        if (in.get(i).keyword().equals(keyword)) {
          return in.get(i).arguments();
        }
      }
    }
    return null;
  }

  /** Every instruction with this keyword in the final image's stages, in build order. */
  List<String> all(String keyword) {
    List<String> found = new ArrayList<>();
    List<Stage> chain = finalImageChain();
    for (int i = chain.size() - 1; i >= 0; i--) {
      for (Instruction in : chain.get(i).instructions()) {
        if (in.keyword().equals(keyword)) {
          found.add(in.arguments());
        }
      }
    }
    return found;
  }

  /** The final image's ENV, by name (KEY=VALUE pairs, or the old KEY VALUE form). */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String args : all("ENV")) {
      if (!args.contains("=")) {
        String[] kv = args.split("\\s+", 2);
        env.put(kv[0], kv.length > 1 ? kv[1] : "");
        continue;
      }
      for (String pair : args.split("\\s+")) {
        int eq = pair.indexOf('=');
        env.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return env;
  }

  /** An exec-form (JSON array) instruction of the final image, or an empty list. */
  List<String> execForm(String keyword) throws IOException {
    String args = last(keyword);
    if (args == null) {
      return List.of();
    }
    if (!args.startsWith("[")) {
      throw new AssertionError(keyword + " should be in exec form (a JSON array): " + args);
    }
    return List.of(new ObjectMapper().readValue(args, String[].class));
  }
}
