package dev.fairlead.app;

import dev.fairlead.discovery.DiscoveryScope;
import dev.fairlead.provisioner.ProvisionerOptions;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.server.ProxyAuthorization;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Settings of Fairlead in Kubernetes mode: where and how (TLS, TLS of Fairlead's own CA — {@link
 * XdsCaOptions} —, or plaintext) xDS is served, whether xDS clients must prove a proxy identity
 * ({@link ProxyAuthorization.Mode}; optional unless set), the address Envoy listeners bind to,
 * which namespaces are watched, which Services are discovered, whether discovery writes Upstreams
 * at all, where the allocation API and the admin server listen, whether replicas elect the one that
 * writes (without election, this one writes), whether that one runs the managed fleets, and how
 * long the xDS path is warmed up before it serves (zero: not at all).
 */
public record KubernetesOptions(
    String xdsAddress,
    int xdsPort,
    ServerTransport xdsTransport,
    String listenerAddress,
    Set<String> watchNamespaces,
    Map<String, String> namespaceSelector,
    Map<String, String> serviceSelector,
    boolean discovery,
    CoalescingDelay coalescing,
    AllocatorOptions allocator,
    AdminOptions admin,
    Optional<LeaderElectionOptions> leaderElection,
    Optional<ProvisionerOptions> provisioner,
    ProxyAuthorization.Mode xdsProxyIdentity,
    Optional<XdsCaOptions> xdsCa,
    Duration xdsWarmUp) {

  public KubernetesOptions {
    watchNamespaces = Set.copyOf(watchNamespaces);
    namespaceSelector = Map.copyOf(namespaceSelector);
    serviceSelector = Map.copyOf(serviceSelector);
    java.util.Objects.requireNonNull(allocator, "allocator");
    java.util.Objects.requireNonNull(xdsTransport, "xdsTransport");
    java.util.Objects.requireNonNull(admin, "admin");
    java.util.Objects.requireNonNull(leaderElection, "leaderElection");
    java.util.Objects.requireNonNull(provisioner, "provisioner");
    java.util.Objects.requireNonNull(xdsProxyIdentity, "xdsProxyIdentity");
    java.util.Objects.requireNonNull(xdsCa, "xdsCa");
    java.util.Objects.requireNonNull(xdsWarmUp, "xdsWarmUp");
    if (xdsCa.isPresent() && !xdsTransport.tls().equals(Optional.of(xdsCa.get().files()))) {
      throw new IllegalArgumentException(
          "with Fairlead's xDS CA, xDS is served from the files the CA's certificates "
              + "are written to");
    }
    if (!watchNamespaces.isEmpty() && !namespaceSelector.isEmpty()) {
      throw new IllegalArgumentException(
          "--watch-namespaces and --watch-namespace-selector exclude each other: give one of them");
    }
  }

  /**
   * Settings of a single replica that writes without electing a leader, with the admin server on
   * 127.0.0.1 and a port the system picks: for tests.
   */
  public KubernetesOptions(
      String xdsAddress,
      int xdsPort,
      ServerTransport xdsTransport,
      String listenerAddress,
      Set<String> watchNamespaces,
      Map<String, String> namespaceSelector,
      Map<String, String> serviceSelector,
      boolean discovery,
      CoalescingDelay coalescing,
      AllocatorOptions allocator) {
    this(
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        watchNamespaces,
        namespaceSelector,
        serviceSelector,
        discovery,
        coalescing,
        allocator,
        AdminOptions.loopback(),
        Optional.empty(),
        Optional.empty(),
        ProxyAuthorization.Mode.OPTIONAL,
        Optional.empty(),
        Duration.ZERO);
  }

  /** These settings, with the admin server where {@code admin} says. */
  public KubernetesOptions withAdmin(AdminOptions admin) {
    return new KubernetesOptions(
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        watchNamespaces,
        namespaceSelector,
        serviceSelector,
        discovery,
        coalescing,
        allocator,
        admin,
        leaderElection,
        provisioner,
        xdsProxyIdentity,
        xdsCa,
        xdsWarmUp);
  }

  /** These settings, electing the writer as {@code election} says. */
  public KubernetesOptions withLeaderElection(LeaderElectionOptions election) {
    return new KubernetesOptions(
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        watchNamespaces,
        namespaceSelector,
        serviceSelector,
        discovery,
        coalescing,
        allocator,
        admin,
        Optional.of(election),
        provisioner,
        xdsProxyIdentity,
        xdsCa,
        xdsWarmUp);
  }

  /** These settings, running managed fleets as {@code provisioner} says (empty: not at all). */
  public KubernetesOptions withProvisioner(Optional<ProvisionerOptions> provisioner) {
    return new KubernetesOptions(
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        watchNamespaces,
        namespaceSelector,
        serviceSelector,
        discovery,
        coalescing,
        allocator,
        admin,
        leaderElection,
        provisioner,
        xdsProxyIdentity,
        xdsCa,
        xdsWarmUp);
  }

  /** These settings, binding xDS clients to fleets as {@code identity} says. */
  public KubernetesOptions withXdsProxyIdentity(ProxyAuthorization.Mode identity) {
    return new KubernetesOptions(
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        watchNamespaces,
        namespaceSelector,
        serviceSelector,
        discovery,
        coalescing,
        allocator,
        admin,
        leaderElection,
        provisioner,
        identity,
        xdsCa,
        xdsWarmUp);
  }

  /**
   * These settings, protecting xDS with Fairlead's own CA as {@code ca} says: served over mutual
   * TLS from its files, and, when the provisioner runs, giving each managed fleet a client
   * certificate.
   */
  public KubernetesOptions withXdsCa(XdsCaOptions ca) {
    return new KubernetesOptions(
        xdsAddress,
        xdsPort,
        ServerTransport.tls(ca.files()),
        listenerAddress,
        watchNamespaces,
        namespaceSelector,
        serviceSelector,
        discovery,
        coalescing,
        allocator,
        admin,
        leaderElection,
        provisioner,
        xdsProxyIdentity,
        Optional.of(ca),
        xdsWarmUp);
  }

  /**
   * These settings, warming the xDS path up for {@code warmUp} before serving (zero: not at all).
   */
  public KubernetesOptions withXdsWarmUp(Duration warmUp) {
    return new KubernetesOptions(
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        watchNamespaces,
        namespaceSelector,
        serviceSelector,
        discovery,
        coalescing,
        allocator,
        admin,
        leaderElection,
        provisioner,
        xdsProxyIdentity,
        xdsCa,
        warmUp);
  }

  /** Which Services discovery turns into Upstreams. */
  public DiscoveryScope scope() {
    DiscoveryScope scope =
        namespaceSelector.isEmpty()
            ? (watchNamespaces.isEmpty()
                ? DiscoveryScope.everything()
                : DiscoveryScope.inNamespaces(watchNamespaces))
            : DiscoveryScope.inNamespacesLabelled(namespaceSelector);
    return scope.withServiceSelector(serviceSelector);
  }
}
