package dev.fairlead.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The provisioned kubectl, pointed at one cluster by a kubeconfig file. Immutable. */
public record Kubectl(Path kubeconfig) {

  /** Runs {@code kubectl --kubeconfig=… args…}, bounded to one minute. */
  public CommandResult run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Tools.get().kubectl().toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return CommandResult.run(command, Duration.ofMinutes(1));
  }
}
