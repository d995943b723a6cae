package dev.fairlead.xds.translate;

import com.google.protobuf.UInt32Value;
import dev.fairlead.api.v1alpha1.StaticHost;
import dev.fairlead.api.verdict.ObjectRef;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds ClusterLoadAssignments: from the hosts of a static Upstream, or from the EndpointSlices of
 * a Service port.
 *
 * <p>For a Service port, the slices labelled {@code kubernetes.io/service-name=<service>} in the
 * Service's namespace are merged. Each slice lists its own port numbers under the Service port's
 * name, which is how a named target port resolves to different numbers on different pods. Ready
 * endpoints (a missing {@code ready} counts as ready) are HEALTHY; serving and terminating ones are
 * DRAINING, so Envoy finishes what it has but sends nothing new; the rest are left out. Endpoints
 * are grouped into one locality per zone, each of weight 1 (gRPC needs a weight of at least 1),
 * sorted by zone, then address, then port.
 *
 * <p>Built once per translation from the state's Services and EndpointSlices; immutable afterwards.
 */
final class EndpointTranslator {

  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final Map<String, Service> services = new HashMap<>();
  private final Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();

  EndpointTranslator(List<Service> services, List<EndpointSlice> slices) {
    for (Service service : services) {
      if (service.getMetadata() != null && service.getMetadata().getName() != null) {
        this.services.putIfAbsent(
            ObjectRef.namespaceOf(service) + "/" + service.getMetadata().getName(), service);
      }
    }
    for (EndpointSlice slice : slices) {
      if (slice.getMetadata() == null || slice.getMetadata().getLabels() == null) {
        continue;
      }
      String service = slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
      if (service != null) {
        slicesByService
            .computeIfAbsent(ObjectRef.namespaceOf(slice) + "/" + service, k -> new ArrayList<>())
            .add(slice);
      }
    }
  }

  /** What a Service port resolves to. */
  sealed interface ServiceEndpoints {

    /**
     * The Service has the port; its endpoints may still be none.
     *
     * @param targets what serves behind each endpoint of the assignment, keyed {@code address:port}
     */
    record Found(
        ServicePort port, ClusterLoadAssignment assignment, Map<String, PoolEndpoint> targets)
        implements ServiceEndpoints {}

    /** The Service or its port does not exist; {@code problem} says which. */
    record Missing(String problem) implements ServiceEndpoints {}
  }

  /** A load assignment with no endpoints, for a cluster whose endpoints are not known yet. */
  static ClusterLoadAssignment empty(String clusterName) {
    return ClusterLoadAssignment.newBuilder().setClusterName(clusterName).build();
  }

  /**
   * The endpoints of a static Upstream's validated hosts, in one locality, weight 1 where none is
   * given.
   */
  ClusterLoadAssignment staticHosts(String clusterName, List<StaticHost> hosts) {
    LocalityLbEndpoints.Builder locality =
        LocalityLbEndpoints.newBuilder().setLoadBalancingWeight(UInt32Value.of(1));
    hosts.stream()
        .sorted(Comparator.comparing(StaticHost::address).thenComparing(StaticHost::port))
        .forEach(
            host ->
                locality.addLbEndpoints(
                    LbEndpoint.newBuilder()
                        .setEndpoint(endpoint(host.address(), host.port()))
                        .setLoadBalancingWeight(
                            UInt32Value.of(host.weight() == null ? 1 : host.weight()))));
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(clusterName)
        .addEndpoints(locality)
        .build();
  }

  /** The Service {@code namespace/name}, or null. */
  Service serviceNamed(String key) {
    return services.get(key);
  }

  /** The EndpointSlices of Service {@code namespace/name}, in state order. */
  List<EndpointSlice> slicesOf(String key) {
    return slicesByService.getOrDefault(key, List.of());
  }

  /**
   * The endpoints behind port {@code port} ({@code spec.ports[].port}) of Service {@code
   * namespace/name}, recording in {@code reads} the Service and the slices they came from.
   */
  ServiceEndpoints service(
      String clusterName, String namespace, String name, int port, Reads reads) {
    String key = namespace + "/" + name;
    Service service = reads.read(Reads.Source.SERVICE, key, serviceNamed(key));
    if (service == null) {
      return new ServiceEndpoints.Missing("Service " + namespace + "/" + name + " not found");
    }
    Optional<ServicePort> servicePort =
        service.getSpec() == null || service.getSpec().getPorts() == null
            ? Optional.empty()
            : service.getSpec().getPorts().stream()
                .filter(p -> p.getPort() != null && p.getPort() == port && isTcp(p.getProtocol()))
                .findFirst();
    if (servicePort.isEmpty()) {
      return new ServiceEndpoints.Missing(
          "Service " + namespace + "/" + name + " has no TCP port " + port);
    }
    String portName = Objects.requireNonNullElse(servicePort.get().getName(), "");
    Map<String, Host> hosts = new HashMap<>();
    for (EndpointSlice slice : reads.read(Reads.Source.ENDPOINT_SLICES, key, slicesOf(key))) {
      slicePort(slice, portName).ifPresent(slicePort -> addHosts(slice, slicePort, hosts));
    }
    Map<String, PoolEndpoint> targets = new TreeMap<>();
    hosts
        .values()
        .forEach(
            host ->
                targets.put(
                    host.address() + ":" + host.port(),
                    new PoolEndpoint(
                        host.address(), host.port(), host.zone(), host.pod(), host.node())));
    return new ServiceEndpoints.Found(servicePort.get(), assignment(clusterName, hosts), targets);
  }

  private static Optional<Integer> slicePort(EndpointSlice slice, String portName) {
    if (slice.getPorts() == null || "FQDN".equals(slice.getAddressType())) {
      return Optional.empty();
    }
    return slice.getPorts().stream()
        .filter(
            p ->
                portName.equals(Objects.requireNonNullElse(p.getName(), ""))
                    && isTcp(p.getProtocol()))
        .map(EndpointPort::getPort)
        .filter(p -> p != null && p >= 1 && p <= 65535)
        .findFirst();
  }

  private static void addHosts(EndpointSlice slice, int port, Map<String, Host> hosts) {
    if (slice.getEndpoints() == null) {
      return;
    }
    for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint : slice.getEndpoints()) {
      if (endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
        continue;
      }
      // Only the first address has defined semantics; kube-proxy ignores the others too.
      String address = endpoint.getAddresses().get(0);
      Optional<HealthStatus> health = health(endpoint.getConditions());
      if (address == null || !UpstreamValidator.isIpAddress(address) || health.isEmpty()) {
        continue;
      }
      String pod =
          endpoint.getTargetRef() != null && "Pod".equals(endpoint.getTargetRef().getKind())
              ? Objects.requireNonNullElse(endpoint.getTargetRef().getName(), "")
              : "";
      Host host =
          new Host(
              Objects.requireNonNullElse(endpoint.getZone(), ""),
              address,
              port,
              health.get(),
              pod,
              Objects.requireNonNullElse(endpoint.getNodeName(), ""));
      // The same endpoint can sit in two slices while the controller moves it; the healthier entry
      // wins.
      hosts.merge(
          address + " " + port,
          host,
          (a, b) -> Host.ORDER_FOR_DUPLICATES.compare(a, b) <= 0 ? a : b);
    }
  }

  private static Optional<HealthStatus> health(EndpointConditions conditions) {
    if (conditions == null || conditions.getReady() == null || conditions.getReady()) {
      return Optional.of(HealthStatus.HEALTHY);
    }
    if (Boolean.TRUE.equals(conditions.getServing())
        && Boolean.TRUE.equals(conditions.getTerminating())) {
      return Optional.of(HealthStatus.DRAINING);
    }
    return Optional.empty();
  }

  private static ClusterLoadAssignment assignment(String clusterName, Map<String, Host> hosts) {
    Map<String, List<Host>> byZone = new TreeMap<>();
    hosts
        .values()
        .forEach(host -> byZone.computeIfAbsent(host.zone(), z -> new ArrayList<>()).add(host));
    ClusterLoadAssignment.Builder assignment =
        ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
    byZone.forEach(
        (zone, zoneHosts) -> {
          LocalityLbEndpoints.Builder locality =
              LocalityLbEndpoints.newBuilder().setLoadBalancingWeight(UInt32Value.of(1));
          if (!zone.isEmpty()) {
            locality.setLocality(Locality.newBuilder().setZone(zone));
          }
          zoneHosts.stream()
              .sorted(Comparator.comparing(Host::address).thenComparing(Host::port))
              .forEach(
                  host ->
                      locality.addLbEndpoints(
                          LbEndpoint.newBuilder()
                              .setEndpoint(endpoint(host.address(), host.port()))
                              .setHealthStatus(host.health())));
          assignment.addEndpoints(locality);
        });
    return assignment.build();
  }

  private static Endpoint endpoint(String address, int port) {
    return Endpoint.newBuilder()
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress(address).setPortValue(port)))
        .build();
  }

  private static boolean isTcp(String protocol) {
    return protocol == null || "TCP".equals(protocol);
  }

  private record Host(
      String zone, String address, int port, HealthStatus health, String pod, String node) {

    /** HEALTHY before DRAINING, then by zone: which of two entries for one endpoint to keep. */
    static final Comparator<Host> ORDER_FOR_DUPLICATES =
        Comparator.comparing((Host h) -> h.health() == HealthStatus.HEALTHY ? 0 : 1)
            .thenComparing(Host::zone);
  }
}
