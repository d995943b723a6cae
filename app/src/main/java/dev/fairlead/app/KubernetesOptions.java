package dev.fairlead.app;

import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.discovery.DiscoveryScope;
import java.util.Map;
import java.util.Set;

/**
 * Settings of Fairlead in Kubernetes mode: where xDS is served, the address Envoy listeners bind to, which
 * namespaces are watched, which Services are discovered, and whether discovery writes Upstreams at all.
 */
public record KubernetesOptions(String xdsAddress, int xdsPort, String listenerAddress, Set<String> watchNamespaces,
    Map<String, String> namespaceSelector, Map<String, String> serviceSelector, boolean discovery,
    CoalescingDelay coalescing) {

  public KubernetesOptions {
    watchNamespaces = Set.copyOf(watchNamespaces);
    namespaceSelector = Map.copyOf(namespaceSelector);
    serviceSelector = Map.copyOf(serviceSelector);
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
