package dev.fairlead.app;

import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The flags of leader election, as {@link LeaderElectionOptions}: whether replicas elect a writer,
 * and the Lease they elect it with. A picocli mixin of {@code fairlead run}.
 */
final class LeaderElectionFlags {

  @Option(
      names = "--leader-election",
      defaultValue = "${env:FAIRLEAD_LEADER_ELECTION:-true}",
      arity = "1",
      description =
          "Kubernetes mode: replicas elect, with a Lease, the one that runs discovery and status writes; "
              + "false makes this replica write unconditionally. Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_LEADER_ELECTION.")
  boolean leaderElection;

  @Option(
      names = "--leader-election-namespace",
      defaultValue = "${env:FAIRLEAD_LEADER_ELECTION_NAMESPACE}",
      description =
          "Kubernetes mode: namespace of the Lease; default: the client's namespace (the pod's in a "
              + "cluster). Env: FAIRLEAD_LEADER_ELECTION_NAMESPACE.")
  String leaderElectionNamespace;

  @Option(
      names = "--leader-election-lease-name",
      defaultValue =
          "${env:FAIRLEAD_LEADER_ELECTION_LEASE_NAME:-"
              + LeaderElectionOptions.DEFAULT_LEASE_NAME
              + "}",
      description =
          "Kubernetes mode: name of the Lease. Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_LEADER_ELECTION_LEASE_NAME.")
  String leaseName;

  @Option(
      names = "--leader-election-identity",
      defaultValue = "${env:FAIRLEAD_LEADER_ELECTION_IDENTITY}",
      description =
          "Kubernetes mode: this replica's name in the Lease; default: the host name with a random "
              + "suffix. Env: FAIRLEAD_LEADER_ELECTION_IDENTITY.")
  String leaderIdentity;

  @Option(
      names = "--leader-election-lease-duration",
      defaultValue = "${env:FAIRLEAD_LEADER_ELECTION_LEASE_DURATION:-15s}",
      description =
          "Kubernetes mode: how long a Lease not renewed keeps others from taking it over (whole "
              + "seconds, e.g. 15s; at least 2s). Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LEADER_ELECTION_LEASE_DURATION.")
  String leaseDuration;

  /**
   * How this replica takes part in leader election; empty when it does not (it writes
   * unconditionally).
   *
   * @throws IllegalArgumentException naming the flag whose value cannot be used
   */
  Optional<LeaderElectionOptions> options() {
    if (!leaderElection) {
      return Optional.empty();
    }
    return Optional.of(
        new LeaderElectionOptions(
            blankToNull(leaderElectionNamespace),
            leaseName,
            leaderIdentity == null || leaderIdentity.isBlank()
                ? LeaderElectionOptions.identity(hostName())
                : leaderIdentity,
            seconds(leaseDuration)));
  }

  /** A duration of whole seconds written {@code <n>s}. */
  private static Duration seconds(String value) {
    if (value == null || !value.matches("[0-9]{1,6}s")) {
      throw new IllegalArgumentException(
          "--leader-election-lease-duration: expected whole seconds such as 15s, was " + value);
    }
    return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static String hostName() {
    String fromEnvironment = System.getenv("HOSTNAME");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "fairlead";
    }
  }
}
