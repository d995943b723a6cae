package dev.fairlead.app;

import picocli.CommandLine.Option;

/**
 * The flags of Fairlead's own logging ({@link Logging}): a picocli mixin of {@code fairlead run}.
 */
final class LogFlags {

  @Option(
      names = "--log-format",
      defaultValue = "${env:FAIRLEAD_LOG_FORMAT:-text}",
      description =
          "text (human-readable) or json (one object per line); lines about an object carry its kind, "
              + "namespace, name and uid. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LOG_FORMAT.")
  String logFormat;

  @Option(
      names = "--log-level",
      defaultValue = "${env:FAIRLEAD_LOG_LEVEL:-info}",
      description =
          "Level of Fairlead's own log lines: error, warn, info, debug or trace (libraries log at warn). "
              + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LOG_LEVEL.")
  String logLevel;

  /**
   * Makes the process log as the flags say.
   *
   * @throws IllegalArgumentException saying which values are allowed when a flag has another
   */
  void apply() {
    Logging.use(Logging.format(logFormat), Logging.level(logLevel));
  }
}
