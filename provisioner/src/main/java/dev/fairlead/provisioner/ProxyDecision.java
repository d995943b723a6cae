package dev.fairlead.provisioner;

import dev.fairlead.api.params.ParametersRefs;
import dev.fairlead.api.state.GatewayController;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import java.util.Optional;

/**
 * What the provisioner does about one Gateway's fleet, decided from the Gateway, its class and the
 * parameters they refer to, without touching the cluster.
 *
 * <ul>
 *   <li>{@link Apply}: a Gateway of a GatewayClass of Fairlead's, in mode Managed, gets its {@link
 *       ManagedProxy}.
 *   <li>{@link Remove}: the Gateway is gone, belongs to another controller's class (or to no
 *       class), or is in mode Unmanaged: it has no managed fleet, and whatever the provisioner made
 *       for it goes.
 *   <li>{@link Keep}: a {@code parametersRef} of the class or the Gateway does not hold. The
 *       Gateway's status says so (the translator's {@code InvalidParameters}); a fleet already
 *       running keeps running as it is, so a typo in a reference takes nothing down.
 * </ul>
 */
public sealed interface ProxyDecision {

  /** Apply {@code proxy}: create what is missing, put back what was changed. */
  record Apply(ManagedProxy proxy) implements ProxyDecision {}

  /** Delete the fleet's objects, if any. */
  record Remove(String reason) implements ProxyDecision {}

  /** Leave the fleet's objects as they are. */
  record Keep(String reason) implements ProxyDecision {}

  /**
   * What to do about the fleet of one Gateway.
   *
   * @param gateway the Gateway, empty when it is gone
   * @param gatewayClass its GatewayClass, empty when there is none of that name
   * @param parameters the GatewayParameters of the state
   */
  static ProxyDecision decide(
      Optional<Gateway> gateway,
      Optional<GatewayClass> gatewayClass,
      ParametersRefs parameters,
      ProvisionerOptions options) {
    if (gateway.isEmpty()) {
      return new Remove("the Gateway is gone");
    }
    if (gatewayClass.isEmpty() || !GatewayController.owns(gatewayClass.get())) {
      return new Remove("its GatewayClass is not one of " + GatewayController.NAME);
    }
    Optional<String> classProblem = parameters.ofClass(gatewayClass.get()).problem();
    if (classProblem.isPresent()) {
      return new Keep(
          "GatewayClass " + gatewayClass.get().getMetadata().getName() + ": " + classProblem.get());
    }
    ParametersRefs.Resolution resolution = parameters.resolve(gatewayClass.get(), gateway.get());
    if (resolution.parameters().isEmpty()) {
      return new Keep(resolution.problem().orElse("its parameters do not resolve"));
    }
    if (!resolution.parameters().get().managed()) {
      return new Remove("its parameters say mode Unmanaged");
    }
    return new Apply(ManagedProxy.of(gateway.get(), resolution.parameters().get(), options));
  }
}
