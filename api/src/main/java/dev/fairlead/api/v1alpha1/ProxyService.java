package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** The Service in front of a managed fleet; every field is optional. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProxyService(
    @JsonPropertyDescription("ClusterIP, NodePort or LoadBalancer (default).") Type type,
    @JsonPropertyDescription("Annotations of the Service, e.g. for a cloud load balancer.")
        Map<String, String> annotations) {

  public ProxyService {
    annotations = annotations == null ? null : Map.copyOf(annotations);
  }

  /** The Service types a managed fleet can have. */
  public enum Type {
    ClusterIP,
    NodePort,
    LoadBalancer
  }
}
