package dev.fairlead.app;

import dev.fairlead.app.admin.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fairlead} command. */
@Command(
    name = "fairlead",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.VersionProvider.class,
    description = "Kubernetes-native discovery and gateway control plane for Envoy fleets.",
    subcommands = {RunCommand.class, ProxyStatusCommand.class})
public final class Fairlead implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new Fairlead())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  cmd.getErr().println("fairlead: " + e.getMessage());
                  return 1;
                })
            .execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
