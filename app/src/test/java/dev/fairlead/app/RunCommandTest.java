package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RunCommandTest {

  @Test
  void anUnallocatedStatusOutside429And5xxStopsStartUpSayingWhatIsAllowed() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new Fairlead()).setErr(new PrintWriter(err));

    int exit = command.execute("run", "--kubeconfig", "/nonexistent", "--allocator-unallocated-status-code", "200");

    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("--allocator-unallocated-status-code").contains("429").contains("500-599");
  }

  @Test
  void aMalformedLabelSelectorStopsStartUpNamingTheFlag() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new Fairlead()).setErr(new PrintWriter(err));

    int exit = command.execute("run", "--kubeconfig", "/nonexistent", "--watch-labels", "team");

    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("--watch-labels").contains("'team' is not key=value");
  }

  @Test
  void aLeaseDurationThatIsNotWholeSecondsOrTooShortStopsStartUp() {
    for (String bad : new String[] {"15", "1.5s", "1s"}) {
      StringWriter err = new StringWriter();
      CommandLine command = new CommandLine(new Fairlead()).setErr(new PrintWriter(err));

      int exit = command.execute("run", "--kubeconfig", "/nonexistent", "--leader-election-lease-duration", bad);

      assertThat(exit).as(bad).isNotZero();
      assertThat(err.toString()).as(bad).contains("--leader-election-lease-duration");
    }
  }

  @Test
  void leaderElectionDerivesRenewDeadlineAndRetryPeriodFromTheLeaseDuration() {
    LeaderElectionOptions options = new LeaderElectionOptions(null, "fairlead", "a", java.time.Duration.ofSeconds(15));

    assertThat(options.renewDeadline()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(options.retryPeriod()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(LeaderElectionOptions.identity("pod-1")).startsWith("pod-1-").hasSize("pod-1-".length() + 8);
  }

  @Test
  void aLogFormatOtherThanTextOrJsonStopsStartUp() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new Fairlead()).setErr(new PrintWriter(err));

    int exit = command.execute("run", "--kubeconfig", "/nonexistent", "--log-format", "xml");

    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("--log-format: expected text or json, was xml");
  }
}
