package dev.fairlead.api.state;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;

/**
 * Fairlead as a Gateway API controller: the {@code controllerName} a GatewayClass names to be
 * Fairlead's. Only GatewayClasses naming it, their Gateways, and the route parent entries for those
 * Gateways are Fairlead's to translate and to give status; every other object of the Gateway API is
 * another controller's and is left alone.
 */
public final class GatewayController {

  /** The {@code spec.controllerName} of Fairlead's GatewayClasses. */
  public static final String NAME = "fairlead.dev/gateway-controller";

  private GatewayController() {}

  /** Whether {@code gatewayClass} names Fairlead as its controller. */
  public static boolean owns(GatewayClass gatewayClass) {
    return gatewayClass != null
        && gatewayClass.getSpec() != null
        && NAME.equals(gatewayClass.getSpec().getControllerName());
  }
}
