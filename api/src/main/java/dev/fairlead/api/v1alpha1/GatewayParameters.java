package dev.fairlead.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * How Fairlead runs the Envoys of a Gateway: managed (Fairlead creates and owns a Deployment, a
 * Service, a bootstrap ConfigMap and a ServiceAccount per Gateway) or unmanaged (the user runs
 * Envoy, bootstrapped with {@code node.cluster = <namespace>/<gateway>}, and declares the addresses
 * it is reached at).
 *
 * <p>Referenced by a GatewayClass's {@code spec.parametersRef} (group {@value Upstream#GROUP}, kind
 * {@value #KIND}, with a namespace) and by a Gateway's {@code spec.infrastructure.parametersRef}
 * (same namespace as the Gateway); a field set on the Gateway's overrides the same field of the
 * class's ({@link dev.fairlead.api.params.EffectiveParameters}). Fairlead only reads these objects:
 * they have no status.
 */
@Group(Upstream.GROUP)
@Version(Upstream.VERSION)
@Singular("gatewayparameters")
@Plural("gatewayparameters")
@AdditionalPrinterColumn(
    name = "Mode",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".spec.mode")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class GatewayParameters extends CustomResource<GatewayParametersSpec, Void>
    implements Namespaced {

  public static final String KIND = "GatewayParameters";

  private static final long serialVersionUID = 1L;
}
