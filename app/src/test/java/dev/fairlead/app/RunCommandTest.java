package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.tls.ServerTransport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

  @TempDir Path dir;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new Fairlead()).setErr(new PrintWriter(err)).execute(args);
  }

  @Test
  void anUnallocatedStatusOutside429And5xxStopsStartUpSayingWhatIsAllowed() {
    int exit =
        run(
            "run",
            "--kubeconfig",
            "/nonexistent",
            "--xds-plaintext",
            "--allocator-plaintext",
            "--allocator-unallocated-status-code",
            "200");

    assertThat(exit).isNotZero();
    assertThat(err.toString())
        .contains("--allocator-unallocated-status-code")
        .contains("429")
        .contains("500-599");
  }

  @Test
  void aMaxTtlThatIsNotAPositiveWholeNumberOfUnitsOrTooLongStopsStartUpNamingTheFlag() {
    assertEachStopsStartUpNamingTheFlag(
        "--allocator-max-ttl", "0h", "24", "1.5h", "1d", "abc", "99999999h");
  }

  private static void assertEachStopsStartUpNamingTheFlag(String flag, String... values) {
    for (String bad : values) {
      StringWriter err = new StringWriter();
      CommandLine command = new CommandLine(new Fairlead()).setErr(new PrintWriter(err));

      int exit =
          command.execute(
              "run",
              "--kubeconfig",
              "/nonexistent",
              "--xds-plaintext",
              "--allocator-plaintext",
              flag,
              bad);

      assertThat(exit).as(bad).isNotZero();
      assertThat(err.toString()).as(bad).contains(flag);
    }
  }

  @Test
  void theProvisionerWithoutAnXdsServiceForItsEnvoysOrWithAMalformedOneStopsStartUpNamingTheFlag() {
    int missing =
        run(
            "run",
            "--kubeconfig",
            "/nonexistent",
            "--xds-plaintext",
            "--allocator-plaintext",
            "--provisioner",
            "true");

    assertThat(missing).isNotZero();
    assertThat(err.toString()).contains("--provisioner needs --proxy-xds-service");
    for (String bad : List.of("fairlead-xds:port", "fairlead-xds:0", ":18000")) {
      StringWriter badErr = new StringWriter();
      int exit =
          new CommandLine(new Fairlead())
              .setErr(new PrintWriter(badErr))
              .execute(
                  "run",
                  "--kubeconfig",
                  "/nonexistent",
                  "--xds-plaintext",
                  "--allocator-plaintext",
                  "--provisioner",
                  "true",
                  "--proxy-xds-service",
                  bad);

      assertThat(exit).as(bad).isNotZero();
      assertThat(badErr.toString()).as(bad).contains("--proxy-xds-service");
    }
  }

  @Test
  void aMalformedLabelSelectorStopsStartUpNamingTheFlag() {
    int exit =
        run(
            "run",
            "--kubeconfig",
            "/nonexistent",
            "--xds-plaintext",
            "--allocator-plaintext",
            "--watch-labels",
            "team");

    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("--watch-labels").contains("'team' is not key=value");
  }

  @Test
  void aLeaseDurationThatIsNotWholeSecondsOrTooShortStopsStartUp() {
    assertEachStopsStartUpNamingTheFlag("--leader-election-lease-duration", "15", "1.5s", "1s");
  }

  @Test
  void leaderElectionDerivesRenewDeadlineAndRetryPeriodFromTheLeaseDuration() {
    LeaderElectionOptions options =
        new LeaderElectionOptions(null, "fairlead", "a", java.time.Duration.ofSeconds(15));

    assertThat(options.renewDeadline()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(options.retryPeriod()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(LeaderElectionOptions.identity("pod-1"))
        .startsWith("pod-1-")
        .hasSize("pod-1-".length() + 8);
  }

  @Test
  void aLogFormatOtherThanTextOrJsonStopsStartUp() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new Fairlead()).setErr(new PrintWriter(err));

    int exit = command.execute("run", "--kubeconfig", "/nonexistent", "--log-format", "xml");

    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("--log-format: expected text or json, was xml");
  }

  @Test
  void aLogLevelOtherThanTheFiveStopsStartUp() {
    int exit = run("run", "--kubeconfig", "/nonexistent", "--log-level", "loud");

    assertThat(exit).isNotZero();
    assertThat(err.toString())
        .contains("--log-level: expected error, warn, info, debug or trace, was loud");
  }

  @Test
  void versionPrintsTheBuildsVersion() {
    StringWriter out = new StringWriter();

    int exit = new CommandLine(new Fairlead()).setOut(new PrintWriter(out)).execute("--version");

    assertThat(exit).isZero();
    assertThat(out.toString().strip())
        .matches("fairlead [0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)? \\(Java [^)]+\\)");
  }

  @Test
  void withoutTlsFilesOrTheExplicitPlaintextFlagTheXdsServerDoesNotStart() {
    int exit = run("run", "--config-dir", dir.toString());

    assertThat(exit).isNotZero();
    assertThat(err.toString())
        .contains(
            "the xDS server serves TLS or, only when asked to, plaintext: give "
                + "--xds-tls-cert and --xds-tls-key (and --xds-tls-ca to require client certificates), or --xds-plaintext");
  }

  @Test
  void withoutTlsFilesOrTheExplicitPlaintextFlagTheAllocatorDoesNotStart() {
    int exit =
        run(
            "run",
            "--kubeconfig",
            "/nonexistent",
            "--xds-plaintext",
            "--allocator-token-file",
            "/token");

    assertThat(exit).isNotZero();
    assertThat(err.toString())
        .contains("the allocation API serves TLS or, only when asked to, plaintext")
        .contains("--allocator-tls-cert")
        .contains("--allocator-plaintext");
  }

  @Test
  void plaintextAndTlsFilesExcludeEachOtherAndACertificateNeedsItsKey() {
    assertThat(
            run(
                "run",
                "--config-dir",
                dir.toString(),
                "--xds-plaintext",
                "--xds-tls-cert",
                "tls.crt"))
        .isNotZero();
    assertThat(
            run(
                "run",
                "--config-dir",
                dir.toString(),
                "--xds-tls-cert",
                "tls.crt",
                "--xds-tls-ca",
                "ca.crt"))
        .isNotZero();

    assertThat(err.toString())
        .contains(
            "--xds-plaintext excludes --xds-tls-cert, --xds-tls-key and --xds-tls-ca: choose TLS or plaintext")
        .contains("--xds-tls-cert and --xds-tls-key go together: give both");
  }

  @Test
  void requiredProxyIdentitiesNeedClientCertificatesAndTheFlagTakesTwoValues() {
    assertThat(
            run(
                "run",
                "--config-dir",
                dir.toString(),
                "--xds-plaintext",
                "--xds-proxy-identity",
                "required"))
        .isNotZero();
    assertThat(
            run(
                "run",
                "--config-dir",
                dir.toString(),
                "--xds-plaintext",
                "--xds-proxy-identity",
                "always"))
        .isNotZero();

    assertThat(err.toString())
        .contains("--xds-proxy-identity=required needs client certificates: give --xds-tls-ca")
        .contains("--xds-proxy-identity: 'always' is neither required nor optional");
  }

  @Test
  void aWarmUpIsWholeSecondsUpToAMinute() {
    for (String value : List.of("3", "1.5s", "-1s", "61s", "2m", "")) {
      assertThat(
              run("run", "--config-dir", dir.toString(), "--xds-plaintext", "--xds-warm-up", value))
          .as(value)
          .isNotZero();
      assertThat(err.toString())
          .contains(
              "--xds-warm-up: expected a whole number of seconds from 0s (off) to 60s such as 3s, "
                  + "was '"
                  + value
                  + "'");
    }
  }

  @Test
  void theXdsCaSecretExcludesTheOtherXdsTransportFlagsAndStandaloneMode() {
    assertThat(
            run(
                "run",
                "--kubeconfig",
                "/nonexistent",
                "--allocator-plaintext",
                "--xds-ca-secret",
                "ca",
                "--xds-plaintext",
                "--proxy-xds-service",
                "fairlead-xds.system.svc"))
        .isNotZero();
    assertThat(run("run", "--config-dir", dir.toString(), "--xds-ca-secret", "ca")).isNotZero();
    assertThat(
            run(
                "run",
                "--kubeconfig",
                "/nonexistent",
                "--allocator-plaintext",
                "--xds-ca-secret",
                "ca",
                "--xds-address",
                "0.0.0.0"))
        .isNotZero();

    assertThat(err.toString())
        .contains(
            "--xds-ca-secret excludes --xds-tls-cert, --xds-tls-key, --xds-tls-ca and --xds-plaintext")
        .contains("--xds-ca-secret is for Kubernetes mode")
        .contains(
            "--xds-ca-secret needs a name for the xDS server's certificate: give --proxy-xds-service");
  }

  @Test
  void theXdsCaSecretNamesTheProxiesXdsHostAndAConcreteAddressAndRequiresIdentities() {
    XdsFlags flags = new XdsFlags();
    flags.xdsCaSecret = "fairlead-xds-ca";
    flags.xdsAddress = "10.0.0.7";

    XdsCaOptions ca = flags.ca(java.util.Optional.of("fairlead-xds.system.svc")).orElseThrow();

    assertThat(ca.secretName()).isEqualTo("fairlead-xds-ca");
    assertThat(ca.serverNames()).containsExactly("fairlead-xds.system.svc", "10.0.0.7");
    assertThat(ca.files().clientCertificatesRequired()).isTrue();
    assertThat(flags.proxyIdentity(ServerTransport.tls(ca.files())))
        .isEqualTo(dev.fairlead.xds.server.ProxyAuthorization.Mode.REQUIRED);
  }

  @Test
  void allocatorCredentialsNeedFairleadsCaExcludeTheOtherAllocatorTransportFlagsAndNeedAName() {
    assertThat(
            run(
                "run",
                "--kubeconfig",
                "/nonexistent",
                "--xds-plaintext",
                "--allocator-credentials-secret",
                "c",
                "--allocator-service",
                "fairlead-allocator.system.svc"))
        .isNotZero();
    assertThat(
            run(
                "run",
                "--kubeconfig",
                "/nonexistent",
                "--xds-ca-secret",
                "ca",
                "--proxy-xds-service",
                "x.svc",
                "--allocator-credentials-secret",
                "c",
                "--allocator-plaintext"))
        .isNotZero();
    assertThat(
            run(
                "run",
                "--kubeconfig",
                "/nonexistent",
                "--xds-ca-secret",
                "ca",
                "--proxy-xds-service",
                "x.svc",
                "--allocator-credentials-secret",
                "c",
                "--allocator-address",
                "0.0.0.0"))
        .isNotZero();

    assertThat(err.toString())
        .contains("--allocator-credentials-secret needs --xds-ca-secret")
        .contains(
            "--allocator-credentials-secret excludes --allocator-tls-cert, --allocator-tls-key, "
                + "--allocator-tls-ca, --allocator-token-file and --allocator-plaintext")
        .contains(
            "--allocator-credentials-secret needs a name for the allocation API's certificate: give "
                + "--allocator-service");
  }

  @Test
  void allocatorCredentialsServeTlsWithTheGeneratedTokenForTheServiceAndAConcreteAddress() {
    AllocatorFlags flags = new AllocatorFlags();
    flags.allocatorCredentialsSecret = "fairlead-allocator-credentials";
    flags.allocatorService = "fairlead-allocator.system.svc";
    flags.allocatorAddress = "10.0.0.7";

    AllocatorCredentialsOptions credentials = flags.credentials().orElseThrow();

    assertThat(flags.credentials()).containsSame(credentials);
    assertThat(credentials.serverNames())
        .containsExactly("fairlead-allocator.system.svc", "10.0.0.7");
    assertThat(credentials.security().transport().isPlaintext()).isFalse();
    assertThat(credentials.security().tokenFile()).contains(credentials.dir().resolve("token"));
  }

  @Test
  void aTlsFileThatCannotBeReadStopsStartUpNamingIt() {
    int exit =
        run(
            "run",
            "--config-dir",
            dir.toString(),
            "--xds-tls-cert",
            dir.resolve("tls.crt").toString(),
            "--xds-tls-key",
            dir.resolve("tls.key").toString());

    assertThat(exit).isNotZero();
    assertThat(err.toString())
        .contains("xDS TLS files: " + dir.resolve("tls.crt") + ": no such file");
  }

  @Test
  void emptyTlsPathsCountAsAbsentSoThePlaintextChoiceStands() {
    ServerTransport transport =
        new TransportFlags("the xDS server", "xds", Path.of(""), Path.of(""), Path.of(""), true)
            .transport();

    assertThat(transport).isEqualTo(ServerTransport.plaintext());
  }

  @Test
  void theUserAgentNamesTheVersionAndTheReplicaKeepingOnlyWhatAHeaderCanCarry() {
    assertThat(RunCommand.userAgent("1.2.3", java.util.Optional.empty()))
        .isEqualTo("fairlead/1.2.3");
    assertThat(RunCommand.userAgent("1.2.3", java.util.Optional.of("fairlead-7d9-x2 a1b2")))
        .isEqualTo("fairlead/1.2.3 (fairlead-7d9-x2 a1b2)");
    assertThat(RunCommand.userAgent("1.2.3", java.util.Optional.of("n\u00e4me\n")))
        .isEqualTo("fairlead/1.2.3 (n_me_)");
  }
}
