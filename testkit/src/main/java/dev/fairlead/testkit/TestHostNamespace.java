package dev.fairlead.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network namespace that this test JVM created, joined to the root namespace by a veth pair:
 * the root side holds {@code 10.213.<k>.1/24}, the namespace side ({@code veth0}) gets {@code
 * 10.213.<k>.2}, {@code .3}, … one per {@link #nextAddress()}. The namespace has no other interface
 * than {@code lo} and no default route, so its subnet reaches nothing but the veth, in either
 * direction.
 *
 * <p>Names carry the creating JVM's PID ({@code fl-<pid>-<n>}, root side {@code flh<pid>-<n>}), so
 * that {@link #removeStale()} can tell leftovers of dead runs from namespaces of runs still going.
 * The choice of {@code k} and the address assignment happen under a file lock shared by every JVM
 * on the machine, so parallel runs never pick the same subnet.
 *
 * <p>Thread-safe. Closing kills every process still in the namespace and deletes it (which removes
 * the veth pair too); idempotent.
 */
final class TestHostNamespace implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TestHostNamespace.class);

  private static final long PID = ProcessHandle.current().pid();
  private static final Pattern NAMESPACE_NAME = Pattern.compile("^fl-(\\d+)-(\\d+)(?:\\s|$)");
  private static final Pattern ROOT_VETH_NAME = Pattern.compile("^\\d+: (flh(\\d+)-\\d+)[@:]");
  private static final String NAMESPACE_VETH = "veth0";
  private static final int FIRST_HOST = 2;
  private static final int LAST_HOST = 254;
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);
  private static final Path LOCK_FILE =
      Path.of(System.getProperty("java.io.tmpdir"), "fairlead-test-hosts.lock");

  /** 0 is the availability probe's; namespaces count from 1. */
  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** Leftovers of dead runs are removed once per JVM, before its first namespace. */
  private static final AtomicBoolean STALE_REMOVED = new AtomicBoolean();

  private final String name;
  private final String rootVeth;
  private final int subnet;
  private final AtomicInteger nextHost = new AtomicInteger(FIRST_HOST);
  private final AtomicBoolean closed = new AtomicBoolean();

  private TestHostNamespace(String name, String rootVeth, int subnet) {
    this.name = name;
    this.rootVeth = rootVeth;
    this.subnet = subnet;
  }

  /**
   * What stops this machine from creating network namespaces, in one sentence naming the missing
   * capability; empty when a probe namespace could be created and deleted.
   */
  static Optional<String> probe() {
    String probe = "fl-" + PID + "-0";
    String need =
        "TestHosts needs to create network namespaces (run the tests as root, or with CAP_SYS_ADMIN "
            + "and CAP_NET_ADMIN, with iproute2's 'ip' on the PATH)";
    CommandResult add;
    try {
      add = ip("netns", "add", probe);
    } catch (IllegalStateException e) {
      return Optional.of(need + ", but 'ip' cannot be run: " + e.getMessage());
    }
    if (add.exitCode() != 0) {
      return Optional.of(
          need + ", but 'ip netns add " + probe + "' failed: " + add.stderr().strip());
    }
    CommandResult delete = ip("netns", "delete", probe);
    if (delete.exitCode() != 0) {
      return Optional.of(
          need + ", but 'ip netns delete " + probe + "' failed: " + delete.stderr().strip());
    }
    return Optional.empty();
  }

  /**
   * Creates a namespace and its veth pair on a free /24 of 10.213.0.0/16, and brings both sides up.
   */
  static TestHostNamespace create() {
    if (STALE_REMOVED.compareAndSet(false, true)) {
      removeStale();
    }
    int n = COUNTER.incrementAndGet();
    String name = "fl-" + PID + "-" + n;
    String rootVeth = "flh" + PID + "-" + n;
    return withSubnetLock(
        () -> {
          int k = freeSubnet("Cannot create test namespace " + name);
          TestHostNamespace namespace = new TestHostNamespace(name, rootVeth, k);
          ip("netns", "add", name).requireSuccess();
          try {
            ip(
                    "link",
                    "add",
                    rootVeth,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    NAMESPACE_VETH,
                    "netns",
                    name)
                .requireSuccess();
            ip("addr", "add", namespace.rootAddress() + "/24", "dev", rootVeth).requireSuccess();
            ip("link", "set", rootVeth, "up").requireSuccess();
            ip("-n", name, "link", "set", "lo", "up").requireSuccess();
            ip("-n", name, "link", "set", NAMESPACE_VETH, "up").requireSuccess();
          } catch (RuntimeException e) {
            namespace.close();
            throw new IllegalStateException(
                "Cannot set up test namespace "
                    + name
                    + " on "
                    + TestHostSubnets.BASE
                    + k
                    + ".0/24: "
                    + e.getMessage(),
                e);
          }
          LOG.info(
              "Created test network namespace {} on {}{}.0/24 (veth {})",
              name,
              TestHostSubnets.BASE,
              k,
              rootVeth);
          return namespace;
        });
  }

  /**
   * Takes one more free /24 of 10.213.0.0/16 for addresses that live behind {@code gateway}, an
   * address of this namespace (a node's pods and services), and routes it there from the root
   * namespace. The route is the reservation other runs see; it goes away with the veth.
   *
   * @return the subnet's first three octets and a dot, e.g. {@code 10.213.7.}
   */
  String routeSubnet(String gateway) {
    return withSubnetLock(
        () -> {
          int k = freeSubnet("Cannot route a subnet into test namespace " + name);
          String prefix = TestHostSubnets.BASE + k + ".";
          ip("route", "add", prefix + "0/24", "via", gateway, "dev", rootVeth).requireSuccess();
          return prefix;
        });
  }

  /** Runs {@code choice} holding the lock every JVM on the machine takes to choose subnets. */
  private static <T> T withSubnetLock(Supplier<T> choice) {
    try (FileChannel channel =
        FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      // Held until the channel closes: other JVMs wait here, so no two runs pick the same subnet.
      channel.lock();
      return choice.get();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot lock " + LOCK_FILE + " to choose a test subnet: " + e.getMessage(), e);
    }
  }

  private static int freeSubnet(String failure) {
    return TestHostSubnets.firstFree(
            ip("-4", "-o", "addr", "show").requireSuccess().stdout(),
            ip("-4", "route", "show", "table", "all").requireSuccess().stdout(),
            (int) (PID % 256))
        .orElseThrow(
            () ->
                new IllegalStateException(
                    failure
                        + ": every /24 of 10.213.0.0/16 is already in use on this machine (see 'ip -4 addr' and "
                        + "'ip -4 route show table all')"));
  }

  String name() {
    return name;
  }

  /** The root namespace's side of the veth, {@code 10.213.<k>.1}. */
  String rootAddress() {
    return TestHostSubnets.BASE + subnet + ".1";
  }

  boolean isClosed() {
    return closed.get();
  }

  /**
   * Adds a fresh address to the namespace's veth and returns it; addresses are never handed out
   * twice.
   */
  String nextAddress() {
    int host = nextHost.getAndIncrement();
    if (host > LAST_HOST) {
      throw new IllegalStateException(
          "Test namespace "
              + name
              + " has handed out all "
              + (LAST_HOST - FIRST_HOST + 1)
              + " addresses of "
              + TestHostSubnets.BASE
              + subnet
              + ".0/24; start fewer backends per TestHosts scope");
    }
    String address = TestHostSubnets.BASE + subnet + "." + host;
    ip("-n", name, "addr", "add", address + "/24", "dev", NAMESPACE_VETH).requireSuccess();
    return address;
  }

  /** Addresses, routes and processes of the namespace, for failure reports. */
  String describe() {
    return "$ ip -n "
        + name
        + " -4 addr\n"
        + ip("-n", name, "-4", "addr").stdout()
        + "$ ip -n "
        + name
        + " -4 route\n"
        + ip("-n", name, "-4", "route").stdout()
        + "$ ip netns pids "
        + name
        + "\n"
        + ip("netns", "pids", name).stdout();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      remove(name);
      if (ip("link", "show", rootVeth).exitCode() == 0) {
        ip("link", "delete", rootVeth);
      }
      LOG.info("Deleted test network namespace {}", name);
    }
  }

  /**
   * Deletes the namespaces and root-side veths of test JVMs that are no longer alive, with whatever
   * still runs inside them. Those of live JVMs (this one included) are left alone.
   */
  static void removeStale() {
    for (String line : ip("netns", "list").requireSuccess().stdout().lines().toList()) {
      Matcher m = NAMESPACE_NAME.matcher(line);
      if (m.find() && !alive(m.group(1))) {
        String stale = line.split("\\s")[0];
        remove(stale);
        LOG.info(
            "Deleted stale test network namespace {} (its JVM, PID {}, is gone)",
            stale,
            m.group(1));
      }
    }
    for (String line : ip("-o", "link", "show").requireSuccess().stdout().lines().toList()) {
      Matcher m = ROOT_VETH_NAME.matcher(line);
      if (m.find() && !alive(m.group(2))) {
        ip("link", "delete", m.group(1));
        LOG.info("Deleted stale test veth {} (its JVM, PID {}, is gone)", m.group(1), m.group(2));
      }
    }
  }

  private static boolean alive(String pid) {
    return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Kills every process in the namespace, waits until none is left, then deletes it. */
  private static void remove(String namespace) {
    killAll(namespace);
    RuntimeException lingering = null;
    try {
      await("no process left in test namespace " + namespace)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                killAll(namespace);
                return pids(namespace).isEmpty();
              });
    } catch (RuntimeException e) {
      lingering = e;
    }
    // The namespace is deleted whether or not every process went away; both failures are reported.
    CommandResult delete = ip("netns", "delete", namespace);
    if (delete.exitCode() != 0 && !delete.stderr().contains("No such file")) {
      IllegalStateException failed =
          new IllegalStateException(
              "Cannot delete test namespace " + namespace + ": " + delete.stderr().strip());
      if (lingering != null) {
        failed.addSuppressed(lingering);
      }
      throw failed;
    }
    if (lingering != null) {
      throw lingering;
    }
  }

  private static void killAll(String namespace) {
    for (long pid : pids(namespace)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static List<Long> pids(String namespace) {
    CommandResult result = ip("netns", "pids", namespace);
    List<Long> pids = new ArrayList<>();
    if (result.exitCode() == 0) {
      result
          .stdout()
          .lines()
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .forEach(s -> pids.add(Long.parseLong(s)));
    }
    return pids;
  }

  private static CommandResult ip(String... args) {
    List<String> command = new ArrayList<>();
    command.add("ip");
    command.addAll(List.of(args));
    return CommandResult.run(command, IP_TIMEOUT);
  }

  @Override
  public String toString() {
    return "test network namespace "
        + name
        + " ("
        + TestHostSubnets.BASE
        + subnet
        + ".0/24, veth "
        + rootVeth
        + ")";
  }
}
