package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Map;

/** The Envoy Deployment of a managed fleet; every field is optional. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProxyDeployment(
    @JsonPropertyDescription("Number of Envoy pods. Default 1.") @Min(0) @Max(100) Integer replicas,
    @JsonPropertyDescription("Envoy image. Default: Fairlead's --proxy-image.")
        @Size(min = 1, max = 512)
        String image,
    @JsonPropertyDescription("Always, IfNotPresent (default) or Never.") PullPolicy imagePullPolicy,
    @JsonPropertyDescription("Requests and limits of the Envoy container.")
        ResourceRequirements resources,
    @JsonPropertyDescription("Annotations of the Envoy pods.") Map<String, String> podAnnotations,
    @JsonPropertyDescription(
            "Envoy's log level: trace, debug, info (default), warning, error, critical or off.")
        ProxyLogLevel logLevel) {

  public ProxyDeployment {
    podAnnotations = podAnnotations == null ? null : Map.copyOf(podAnnotations);
  }

  /** When the kubelet pulls the Envoy image. */
  public enum PullPolicy {
    Always,
    IfNotPresent,
    Never
  }
}
