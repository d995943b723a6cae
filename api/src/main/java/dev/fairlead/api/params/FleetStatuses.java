package dev.fairlead.api.params;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.state.GatewayController;
import dev.fairlead.api.v1alpha1.DeclaredAddress;
import dev.fairlead.api.v1alpha1.ProxyService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@link FleetStatus} of every Gateway of Fairlead's whose fleet has infrastructure to report
 * on, computed purely from a {@link ClusterState}:
 *
 * <ul>
 *   <li>A <b>managed</b> fleet (only while the provisioner runs: without it nothing runs the
 *       Envoys, and the status stays as Fairlead wrote it before managed fleets existed): the
 *       addresses of its Service ({@code fairlead-<gateway>}) — the load balancer's ingress IPs and
 *       hostnames for type {@code LoadBalancer}, the cluster IP otherwise — and {@code
 *       Programmed=False} while its Deployment has no available replica ({@code Pending}), while
 *       the Service has no address ({@code AddressNotAssigned}), or when the Gateway's {@code
 *       spec.addresses} cannot be honoured: a Service takes one requested IP address, as its {@code
 *       clusterIP} (type ClusterIP) or {@code loadBalancerIP} (type LoadBalancer); a hostname or a
 *       named address is {@code UnsupportedAddress}; more than one address, one for a NodePort
 *       Service, or a Service that was given another address is {@code AddressNotUsable}.
 *   <li>An <b>unmanaged</b> fleet: the addresses its parameters declare; {@code spec.addresses} not
 *       among them are {@code AddressNotUsable}.
 * </ul>
 *
 * <p>Gateways whose class or parameters reference does not hold get nothing here: their status
 * already says why.
 */
public final class FleetStatuses {

  static final String IP_ADDRESS = "IPAddress";
  static final String HOSTNAME = "Hostname";

  private FleetStatuses() {}

  /**
   * By Gateway {@code namespace/name}.
   *
   * @param provisioned whether the provisioner runs managed fleets
   */
  public static Map<String, FleetStatus> of(ClusterState state, boolean provisioned) {
    ParametersRefs refs = new ParametersRefs(state.gatewayParameters());
    Map<String, GatewayClass> classes = new HashMap<>();
    state.gatewayClasses().stream()
        .filter(GatewayController::owns)
        .forEach(c -> classes.putIfAbsent(c.getMetadata().getName(), c));
    Map<String, Service> services = byKey(state.services());
    Map<String, Deployment> deployments = byKey(state.proxyDeployments());
    Map<String, FleetStatus> statuses = new TreeMap<>();
    for (Gateway gateway : state.gateways()) {
      GatewayClass gatewayClass =
          gateway.getSpec() == null ? null : classes.get(gateway.getSpec().getGatewayClassName());
      if (gatewayClass == null || refs.ofClass(gatewayClass).problem().isPresent()) {
        continue;
      }
      Optional<EffectiveParameters> parameters = refs.resolve(gatewayClass, gateway).parameters();
      if (parameters.isEmpty() || (parameters.get().managed() && !provisioned)) {
        continue;
      }
      String key = key(gateway);
      List<GatewaySpecAddress> requested =
          gateway.getSpec().getAddresses() == null ? List.of() : gateway.getSpec().getAddresses();
      statuses.put(
          key,
          parameters.get().managed()
              ? managed(gateway, parameters.get(), requested, services, deployments)
              : unmanaged(parameters.get(), requested));
    }
    return statuses;
  }

  /**
   * The one IP address a managed fleet's Service takes from the Gateway's {@code spec.addresses}:
   * present when there is exactly one address, of type {@code IPAddress} (the default), and the
   * Service type is ClusterIP or LoadBalancer.
   */
  public static Optional<String> requestedIp(Gateway gateway, ProxyService.Type serviceType) {
    List<GatewaySpecAddress> requested =
        gateway.getSpec() == null || gateway.getSpec().getAddresses() == null
            ? List.of()
            : gateway.getSpec().getAddresses();
    if (requested.size() != 1
        || serviceType == ProxyService.Type.NodePort
        || requested.get(0) == null
        || !isIp(requested.get(0))
        || requested.get(0).getValue() == null) {
      return Optional.empty();
    }
    return Optional.of(requested.get(0).getValue());
  }

  private static FleetStatus managed(
      Gateway gateway,
      EffectiveParameters parameters,
      List<GatewaySpecAddress> requested,
      Map<String, Service> services,
      Map<String, Deployment> deployments) {
    String namespace = gateway.getMetadata().getNamespace();
    String name = ProxyNames.of(gateway.getMetadata().getName());
    Service service = services.get(namespace + "/" + name);
    List<FleetStatus.Address> addresses = service == null ? List.of() : addressesOf(service);
    Optional<FleetStatus.NotProgrammed> problem =
        requestProblem(requested, parameters.serviceType());
    if (problem.isEmpty()
        && !requested.isEmpty()
        && !addresses.isEmpty()
        && addresses.stream().noneMatch(a -> a.value().equals(requested.get(0).getValue()))) {
      problem =
          notProgrammed(
              "AddressNotUsable",
              "spec.addresses: the Service "
                  + namespace
                  + "/"
                  + name
                  + " was given "
                  + values(addresses)
                  + ", not "
                  + requested.get(0).getValue());
    }
    if (problem.isEmpty()) {
      Deployment deployment = deployments.get(namespace + "/" + name);
      Integer available =
          deployment == null || deployment.getStatus() == null
              ? null
              : deployment.getStatus().getAvailableReplicas();
      if (available == null || available < 1) {
        problem =
            notProgrammed(
                "Pending",
                "the Envoy Deployment " + namespace + "/" + name + " has no available replica yet");
      } else if (addresses.isEmpty()) {
        problem =
            notProgrammed(
                "AddressNotAssigned",
                "the Service " + namespace + "/" + name + " has no address yet");
      }
    }
    return new FleetStatus(addresses, problem);
  }

  private static FleetStatus unmanaged(
      EffectiveParameters parameters, List<GatewaySpecAddress> requested) {
    List<FleetStatus.Address> declared =
        parameters.addresses().stream()
            .map(
                a ->
                    new FleetStatus.Address(
                        a.type() == DeclaredAddress.Type.Hostname ? HOSTNAME : IP_ADDRESS,
                        a.value()))
            .toList();
    List<String> missing =
        requested.stream()
            .filter(
                r -> r != null && declared.stream().noneMatch(d -> d.value().equals(r.getValue())))
            .map(GatewaySpecAddress::getValue)
            .toList();
    Optional<FleetStatus.NotProgrammed> problem =
        missing.isEmpty()
            ? Optional.empty()
            : notProgrammed(
                "AddressNotUsable",
                "spec.addresses: "
                    + String.join(", ", missing)
                    + " not among the addresses the unmanaged fleet's GatewayParameters declare");
    return new FleetStatus(declared, problem);
  }

  private static Optional<FleetStatus.NotProgrammed> requestProblem(
      List<GatewaySpecAddress> requested, ProxyService.Type serviceType) {
    for (int i = 0; i < requested.size(); i++) {
      GatewaySpecAddress address = requested.get(i);
      if (address == null || !isIp(address)) {
        return notProgrammed(
            "UnsupportedAddress",
            "spec.addresses["
                + i
                + "]: type "
                + (address == null ? "null" : address.getType())
                + " is not supported; a managed fleet's Service takes "
                + "one IPAddress");
      }
    }
    if (requested.size() > 1) {
      return notProgrammed(
          "AddressNotUsable",
          "spec.addresses: a managed fleet's Service takes one IP address, "
              + requested.size()
              + " were requested");
    }
    if (requested.size() == 1 && serviceType == ProxyService.Type.NodePort) {
      return notProgrammed(
          "AddressNotUsable",
          "spec.addresses: a NodePort Service takes no requested address; "
              + "use service.type ClusterIP or LoadBalancer");
    }
    return Optional.empty();
  }

  private static List<FleetStatus.Address> addressesOf(Service service) {
    List<FleetStatus.Address> addresses = new ArrayList<>();
    if ("LoadBalancer".equals(service.getSpec().getType())) {
      if (service.getStatus() != null
          && service.getStatus().getLoadBalancer() != null
          && service.getStatus().getLoadBalancer().getIngress() != null) {
        for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
          if (ingress.getIp() != null && !ingress.getIp().isEmpty()) {
            addresses.add(new FleetStatus.Address(IP_ADDRESS, ingress.getIp()));
          } else if (ingress.getHostname() != null && !ingress.getHostname().isEmpty()) {
            addresses.add(new FleetStatus.Address(HOSTNAME, ingress.getHostname()));
          }
        }
      }
      return addresses;
    }
    String clusterIp = service.getSpec().getClusterIP();
    if (clusterIp != null && !clusterIp.isEmpty() && !"None".equals(clusterIp)) {
      addresses.add(new FleetStatus.Address(IP_ADDRESS, clusterIp));
    }
    return addresses;
  }

  private static boolean isIp(GatewaySpecAddress address) {
    return address.getType() == null || IP_ADDRESS.equals(address.getType());
  }

  private static Optional<FleetStatus.NotProgrammed> notProgrammed(String reason, String message) {
    return Optional.of(new FleetStatus.NotProgrammed(reason, message));
  }

  private static String values(List<FleetStatus.Address> addresses) {
    return String.join(", ", addresses.stream().map(FleetStatus.Address::value).toList());
  }

  private static <T extends HasMetadata> Map<String, T> byKey(List<T> objects) {
    Map<String, T> map = new HashMap<>();
    objects.forEach(o -> map.putIfAbsent(key(o), o));
    return map;
  }

  private static String key(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return (namespace == null || namespace.isEmpty() ? "default" : namespace)
        + "/"
        + object.getMetadata().getName();
  }
}
