package dev.fairlead.api.params;

import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.api.v1alpha1.GatewayParametersSpec;
import dev.fairlead.api.v1alpha1.Upstream;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalParametersReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParametersReference;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Follows the {@code parametersRef}s of GatewayClasses and Gateways to the {@link
 * GatewayParameters} of a state. A reference holds when it names group {@value Upstream#GROUP},
 * kind {@value GatewayParameters#KIND} and an object that exists: a class's in the namespace it
 * names (which it must), a Gateway's in the Gateway's own namespace. Anything else is a problem
 * naming the field, for the class's {@code InvalidParameters} condition or the Gateway's.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class ParametersRefs {

  /**
   * Where a reference led.
   *
   * @param spec the referenced spec; empty when there is no reference or it does not hold
   * @param problem why the reference does not hold, naming the field; empty when it holds or there
   *     is none
   */
  public record Lookup(Optional<GatewayParametersSpec> spec, Optional<String> problem) {

    static final Lookup NONE = new Lookup(Optional.empty(), Optional.empty());

    static Lookup invalid(String problem) {
      return new Lookup(Optional.empty(), Optional.of(problem));
    }
  }

  /**
   * What a Gateway runs with, or why it cannot run.
   *
   * @param parameters the effective parameters; empty when a reference does not hold
   * @param problem why, naming the field; empty when {@code parameters} is present
   */
  public record Resolution(Optional<EffectiveParameters> parameters, Optional<String> problem) {}

  private final Map<String, GatewayParameters> byKey = new HashMap<>();

  /**
   * References into {@code parameters}; should two share a namespace and name, the first counts.
   */
  public ParametersRefs(List<GatewayParameters> parameters) {
    for (GatewayParameters p : parameters) {
      if (p.getMetadata() != null && p.getMetadata().getName() != null) {
        byKey.putIfAbsent(
            namespaceOf(p.getMetadata().getNamespace()) + "/" + p.getMetadata().getName(), p);
      }
    }
  }

  /** Where {@code gatewayClass}'s {@code spec.parametersRef} leads. */
  public Lookup ofClass(GatewayClass gatewayClass) {
    ParametersReference ref =
        gatewayClass.getSpec() == null ? null : gatewayClass.getSpec().getParametersRef();
    if (ref == null) {
      return Lookup.NONE;
    }
    String field = "spec.parametersRef";
    Optional<String> kindProblem = kindProblem(field, ref.getGroup(), ref.getKind());
    if (kindProblem.isPresent()) {
      return Lookup.invalid(kindProblem.get());
    }
    if (ref.getNamespace() == null || ref.getNamespace().isEmpty()) {
      return Lookup.invalid(field + ".namespace: required, GatewayParameters are namespaced");
    }
    return find(field, ref.getNamespace(), ref.getName());
  }

  /** Where {@code gateway}'s {@code spec.infrastructure.parametersRef} leads. */
  public Lookup ofGateway(Gateway gateway) {
    LocalParametersReference ref =
        gateway.getSpec() == null || gateway.getSpec().getInfrastructure() == null
            ? null
            : gateway.getSpec().getInfrastructure().getParametersRef();
    if (ref == null) {
      return Lookup.NONE;
    }
    String field = "spec.infrastructure.parametersRef";
    Optional<String> kindProblem = kindProblem(field, ref.getGroup(), ref.getKind());
    if (kindProblem.isPresent()) {
      return Lookup.invalid(kindProblem.get());
    }
    return find(field, namespaceOf(gateway.getMetadata().getNamespace()), ref.getName());
  }

  /**
   * The parameters {@code gateway} runs with, given its class: the class's reference is checked by
   * the class's verdict and a Gateway of a class that is not accepted is not served, so here only
   * the Gateway's own reference can be the problem.
   */
  public Resolution resolve(GatewayClass gatewayClass, Gateway gateway) {
    Lookup ofGateway = ofGateway(gateway);
    if (ofGateway.problem().isPresent()) {
      return new Resolution(Optional.empty(), ofGateway.problem());
    }
    GatewayParametersSpec ofClass =
        gatewayClass == null ? null : ofClass(gatewayClass).spec().orElse(null);
    return new Resolution(
        Optional.of(EffectiveParameters.of(ofClass, ofGateway.spec().orElse(null))),
        Optional.empty());
  }

  private Lookup find(String field, String namespace, String name) {
    GatewayParameters found = byKey.get(namespace + "/" + name);
    if (found == null) {
      return Lookup.invalid(
          field + ": " + GatewayParameters.KIND + " " + namespace + "/" + name + " not found");
    }
    return new Lookup(Optional.ofNullable(found.getSpec()), Optional.empty());
  }

  private static Optional<String> kindProblem(String field, String group, String kind) {
    if (!Upstream.GROUP.equals(group) || !GatewayParameters.KIND.equals(kind)) {
      return Optional.of(
          field
              + ": "
              + (group == null || group.isEmpty() ? "" : group + "/")
              + kind
              + " is not a parameters kind Fairlead supports; use group "
              + Upstream.GROUP
              + ", kind "
              + GatewayParameters.KIND);
    }
    return Optional.empty();
  }

  private static String namespaceOf(String namespace) {
    return namespace == null || namespace.isEmpty() ? "default" : namespace;
  }
}
