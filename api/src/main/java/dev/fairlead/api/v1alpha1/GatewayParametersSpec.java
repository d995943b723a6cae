package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The settings of a {@link GatewayParameters}; every field is optional, so that a Gateway's
 * parameters can override only some of its class's. Rules spanning fields are CEL rules the API
 * server checks: declared addresses belong to unmanaged fleets only, and an unmanaged fleet has no
 * Deployment or Service for Fairlead to shape.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.addresses) || (has(self.mode) && self.mode == 'Unmanaged')",
    message =
        "spec.addresses is for mode Unmanaged only: a managed fleet's addresses come from its Service")
@ValidationRule(
    value =
        "!(has(self.mode) && self.mode == 'Unmanaged' && (has(self.deployment) || has(self.service)))",
    message =
        "spec.deployment and spec.service apply to mode Managed only: Fairlead runs nothing for an unmanaged "
            + "fleet")
@JsonIgnoreProperties(ignoreUnknown = true)
public record GatewayParametersSpec(
    @JsonPropertyDescription(
            "Managed (default): Fairlead runs the Gateway's Envoys. Unmanaged: you run them, "
                + "bootstrapped with node.cluster = <namespace>/<gateway>.")
        ProxyMode mode,
    @JsonPropertyDescription("The Envoy Deployment of a managed fleet.") ProxyDeployment deployment,
    @JsonPropertyDescription("The Service in front of a managed fleet.") ProxyService service,
    @JsonPropertyDescription(
            "Where an unmanaged fleet is reached, written into the Gateway's status.addresses.")
        @Size(max = 16)
        List<DeclaredAddress> addresses) {

  public GatewayParametersSpec {
    addresses = addresses == null ? null : List.copyOf(addresses);
  }
}
