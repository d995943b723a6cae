package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The configuration reference ({@code docs/configuration.md}) is checked against the flags: every
 * option of {@code fairlead run} (declared on the command or on one of its mixins) has a row naming
 * it and its environment variable (the one its default reads), and every row names an option that
 * exists.
 */
class ConfigurationReferenceDocTest {

  private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
  private static final Pattern ROW =
      Pattern.compile("^\\| `(--[a-z0-9-]+)` \\| `(FAIRLEAD_[A-Z0-9_]+)` \\|");
  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(FAIRLEAD_[A-Z0-9_]+)");

  @Test
  void everyRunFlagHasARowWithItsEnvironmentVariableAndEveryRowAFlag() throws IOException {
    Map<String, String> documented = new TreeMap<>();
    for (String line : Files.readAllLines(REFERENCE)) {
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        documented.put(row.group(1), row.group(2));
      }
    }
    Map<String, String> flags = new TreeMap<>();
    addOptions(RunCommand.class, flags);
    assertThat(flags).as("options found on RunCommand and its mixins").hasSizeGreaterThan(10);

    assertThat(documented)
        .as("docs/configuration.md vs the flags of `fairlead run`")
        .isEqualTo(flags);
  }

  /**
   * Adds the options declared on {@code type} and, through its {@code @Mixin} fields, on its
   * mixins.
   */
  private static void addOptions(Class<?> type, Map<String, String> flags) {
    for (Field field : type.getDeclaredFields()) {
      if (field.isAnnotationPresent(Mixin.class)) {
        addOptions(field.getType(), flags);
      }
      Option option = field.getAnnotation(Option.class);
      if (option == null) {
        continue;
      }
      String longest =
          Arrays.stream(option.names()).max(Comparator.comparingInt(String::length)).orElseThrow();
      Matcher env = ENV_DEFAULT.matcher(option.defaultValue());
      assertThat(env.find())
          .as("%s takes its default from a FAIRLEAD_* environment variable", longest)
          .isTrue();
      assertThat(flags.put(longest, env.group(1))).as("%s declared once", longest).isNull();
    }
  }
}
