package dev.fairlead.api.params;

import dev.fairlead.api.v1alpha1.DeclaredAddress;
import dev.fairlead.api.v1alpha1.GatewayParametersSpec;
import dev.fairlead.api.v1alpha1.ProxyDeployment;
import dev.fairlead.api.v1alpha1.ProxyLogLevel;
import dev.fairlead.api.v1alpha1.ProxyMode;
import dev.fairlead.api.v1alpha1.ProxyService;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings a Gateway's fleet runs with: its class's {@code GatewayParameters}, overridden field
 * by field by the Gateway's own, and the defaults for what neither sets. A map or list field is one
 * field: the Gateway's {@code podAnnotations} replace the class's rather than merge with them, so
 * that a Gateway can drop an annotation its class sets.
 *
 * @param image empty: Fairlead's {@code --proxy-image}
 * @param resources empty: no requests or limits
 * @param addresses the addresses an unmanaged fleet declares; empty for a managed one
 */
public record EffectiveParameters(
    ProxyMode mode,
    int replicas,
    Optional<String> image,
    ProxyDeployment.PullPolicy imagePullPolicy,
    Optional<ResourceRequirements> resources,
    Map<String, String> podAnnotations,
    ProxyLogLevel logLevel,
    ProxyService.Type serviceType,
    Map<String, String> serviceAnnotations,
    List<DeclaredAddress> addresses) {

  /** What a Gateway runs with when neither it nor its class refers to parameters. */
  public static final EffectiveParameters DEFAULTS = of(null, null);

  public EffectiveParameters {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(imagePullPolicy, "imagePullPolicy");
    Objects.requireNonNull(resources, "resources");
    podAnnotations = Map.copyOf(podAnnotations);
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(serviceType, "serviceType");
    serviceAnnotations = Map.copyOf(serviceAnnotations);
    addresses = List.copyOf(addresses);
  }

  /**
   * The class's parameters overridden by the Gateway's.
   *
   * @param ofClass the spec the GatewayClass refers to, or null
   * @param ofGateway the spec the Gateway refers to, or null
   */
  public static EffectiveParameters of(
      GatewayParametersSpec ofClass, GatewayParametersSpec ofGateway) {
    Merge<GatewayParametersSpec> spec = new Merge<>(ofClass, ofGateway);
    Merge<ProxyDeployment> deployment = spec.then(GatewayParametersSpec::deployment);
    Merge<ProxyService> service = spec.then(GatewayParametersSpec::service);
    return new EffectiveParameters(
        spec.get(GatewayParametersSpec::mode).orElse(ProxyMode.Managed),
        deployment.get(ProxyDeployment::replicas).orElse(1),
        deployment.get(ProxyDeployment::image),
        deployment
            .get(ProxyDeployment::imagePullPolicy)
            .orElse(ProxyDeployment.PullPolicy.IfNotPresent),
        deployment.get(ProxyDeployment::resources),
        deployment.get(ProxyDeployment::podAnnotations).orElse(Map.of()),
        deployment.get(ProxyDeployment::logLevel).orElse(ProxyLogLevel.INFO),
        service.get(ProxyService::type).orElse(ProxyService.Type.LoadBalancer),
        service.get(ProxyService::annotations).orElse(Map.of()),
        spec.get(GatewayParametersSpec::addresses).orElse(List.of()));
  }

  /** Whether Fairlead runs this fleet's Envoys. */
  public boolean managed() {
    return mode == ProxyMode.Managed;
  }

  /** A field of the Gateway's part if set there, else of the class's. Either part may be null. */
  private record Merge<T>(T ofClass, T ofGateway) {

    <F> Optional<F> get(Function<T, F> field) {
      return Optional.ofNullable(ofGateway)
          .map(field)
          .or(() -> Optional.ofNullable(ofClass).map(field));
    }

    <S> Merge<S> then(Function<T, S> part) {
      return new Merge<>(
          ofClass == null ? null : part.apply(ofClass),
          ofGateway == null ? null : part.apply(ofGateway));
    }
  }
}
