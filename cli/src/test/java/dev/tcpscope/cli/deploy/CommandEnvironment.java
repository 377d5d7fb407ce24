package dev.tcpscope.cli.deploy;

import dev.tcpscope.cli.Tcpscope;
import dev.tcpscope.cli.command.KafkaOptions;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What a {@code bin/tcpscope} subcommand really reads from its environment, taken from the code:
 * the {@code ${env:NAME}} defaults of its picocli options (mixins included), the {@code
 * TCPSCOPE_KAFKA_*} client settings when it has {@link KafkaOptions}, and the variables the
 * launcher script reads. Deployment files are checked against it, so a renamed variable or
 * option fails their tests instead of being silently ignored on a fleet.
 */
final class CommandEnvironment {
  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)(?::-([^}]*))?}");
  private static final Pattern SCRIPT_VARIABLE = Pattern.compile("\\$\\{(TCPSCOPE_[A-Z0-9_]+)");

  /** Option name (every alias) to its annotation's raw default value ("" when none). */
  private final Map<String, String> rawDefaults = new LinkedHashMap<>();
  private final Set<String> variables = new TreeSet<>();
  private final String kafkaPrefix;

  private CommandEnvironment(Class<?> command, Set<String> launcherVariables) {
    String prefix = null;
    for (Class<?> type : optionHolders(command)) {
      if (type == KafkaOptions.class) {
        prefix = kafkaPrefix();
      }
      for (Field field : type.getDeclaredFields()) {
        Option option = field.getAnnotation(Option.class);
        if (option == null) {
          continue;
        }
        for (String name : option.names()) {
          rawDefaults.put(name, option.defaultValue());
        }
        Matcher m = ENV_DEFAULT.matcher(option.defaultValue());
        while (m.find()) {
          variables.add(m.group(1));
        }
      }
    }
    this.kafkaPrefix = prefix;
    variables.addAll(launcherVariables);
  }

  /** The environment of the subcommand {@code name} of bin/tcpscope. */
  static CommandEnvironment of(String subcommand, Path repository) throws IOException {
    Class<?> type = subcommandClass(subcommand)
        .orElseThrow(() -> new AssertionError("bin/tcpscope has no subcommand " + subcommand));
    return new CommandEnvironment(type, launcherVariables(repository));
  }

  static Optional<Class<?>> subcommandClass(String name) {
    return Optional.ofNullable(Tcpscope.commandLine().getSubcommands().get(name))
        .map(sub -> sub.getCommand().getClass());
  }

  /** True when the subcommand (or its launcher) reads this variable. */
  boolean reads(String variable) {
    return variables.contains(variable) || (kafkaPrefix != null
        && variable.startsWith(kafkaPrefix) && variable.length() > kafkaPrefix.length());
  }

  Set<String> variables() {
    return variables;
  }

  static String kafkaPrefix() {
    try {
      Field f = KafkaOptions.class.getDeclaredField("ENV_PREFIX");
      f.setAccessible(true);
      return (String) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("KafkaOptions.ENV_PREFIX: " + e, e);
    }
  }

  /**
   * The value the option takes for a process with this environment and these arguments:
   * the argument if given, else its {@code ${env:...}} variable if set, else its default.
   */
  String effectiveValue(String option, CommandLine.ParseResult parsed, Map<String, String> env) {
    CommandLine.ParseResult sub = parsed.subcommand();
    if (sub != null && sub.hasMatchedOption(option)) {
      return String.valueOf((Object) sub.matchedOptionValue(option, null));
    }
    String raw = rawDefaults.get(option);
    if (raw == null) {
      throw new AssertionError("no option " + option);
    }
    Matcher m = ENV_DEFAULT.matcher(raw);
    if (m.matches()) {
      String set = env.get(m.group(1));
      return set != null ? set : m.group(2);
    }
    return raw;
  }

  boolean hasOption(String option) {
    return rawDefaults.containsKey(option);
  }

  /** The command class and the classes of its @Mixin fields, recursively. */
  private static Set<Class<?>> optionHolders(Class<?> command) {
    Set<Class<?>> holders = new java.util.LinkedHashSet<>();
    for (Class<?> c = command; c != null && c != Object.class; c = c.getSuperclass()) {
      holders.add(c);
      for (Field field : c.getDeclaredFields()) {
        if (field.isAnnotationPresent(Mixin.class)) {
          holders.addAll(optionHolders(field.getType()));
        }
      }
    }
    return holders;
  }

  /** The TCPSCOPE_* variables bin/tcpscope itself reads (JVM options). */
  private static Set<String> launcherVariables(Path repository) throws IOException {
    Set<String> found = new TreeSet<>();
    Matcher m = SCRIPT_VARIABLE.matcher(Files.readString(repository.resolve("bin/tcpscope")));
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }
}
