package dev.fairlead.app;

import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.discovery.DiscoveryScope;
import dev.fairlead.tls.ServerTransport;
import java.util.Map;
import java.util.Set;

/**
 * Settings of Fairlead in Kubernetes mode: where and how (TLS or plaintext) xDS is served, the address Envoy
 * listeners bind to, which namespaces are watched, which Services are discovered, whether discovery writes
 * Upstreams at all, and where the allocation API listens.
 */
public record KubernetesOptions(String xdsAddress, int xdsPort, ServerTransport xdsTransport, String listenerAddress,
    Set<String> watchNamespaces, Map<String, String> namespaceSelector, Map<String, String> serviceSelector,
    boolean discovery, CoalescingDelay coalescing, AllocatorOptions allocator) {

  public KubernetesOptions {
    watchNamespaces = Set.copyOf(watchNamespaces);
    namespaceSelector = Map.copyOf(namespaceSelector);
    serviceSelector = Map.copyOf(serviceSelector);
    java.util.Objects.requireNonNull(allocator, "allocator");
    java.util.Objects.requireNonNull(xdsTransport, "xdsTransport");
    if (!watchNamespaces.isEmpty() && !namespaceSelector.isEmpty()) {
      throw new IllegalArgumentException(
          "--watch-namespaces and --watch-namespace-selector exclude each other: give one of them");
    }
  }

  /** Which Services discovery turns into Upstreams. */
  public DiscoveryScope scope() {
    DiscoveryScope scope = namespaceSelector.isEmpty()
        ? (watchNamespaces.isEmpty() ? DiscoveryScope.everything() : DiscoveryScope.inNamespaces(watchNamespaces))
        : DiscoveryScope.inNamespacesLabelled(namespaceSelector);
    return scope.withServiceSelector(serviceSelector);
  }
}
