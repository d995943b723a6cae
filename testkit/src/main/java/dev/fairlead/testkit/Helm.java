package dev.fairlead.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The provisioned helm, pointed at one cluster by a kubeconfig file, or at none for commands that
 * need no cluster ({@code lint}, {@code template}). Immutable.
 */
public record Helm(Path kubeconfig) {

  /** helm for commands that talk to no cluster. */
  public static Helm withoutCluster() {
    return new Helm(null);
  }

  /** Runs {@code helm [--kubeconfig=…] args…}, bounded to two minutes. */
  public CommandResult run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Tools.get().helmBinary().toString());
    if (kubeconfig != null) {
      command.add("--kubeconfig=" + kubeconfig);
    }
    command.addAll(List.of(args));
    return CommandResult.run(command, Duration.ofMinutes(2));
  }
}
