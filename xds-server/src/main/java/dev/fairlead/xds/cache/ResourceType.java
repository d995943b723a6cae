package dev.fairlead.xds.cache;

import io.envoyproxy.controlplane.cache.Resources;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The xDS resource types Fairlead serves. Clusters and listeners are wildcard types (a client gets all of its
 * fleet's); endpoints and routes are requested by name.
 */
public enum ResourceType {
  CLUSTER(Resources.V3.CLUSTER_TYPE_URL, true, "CDS"),
  ENDPOINT(Resources.V3.ENDPOINT_TYPE_URL, false, "EDS"),
  LISTENER(Resources.V3.LISTENER_TYPE_URL, true, "LDS"),
  ROUTE(Resources.V3.ROUTE_TYPE_URL, false, "RDS");

  private static final Map<String, ResourceType> BY_URL = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(ResourceType::typeUrl, Function.identity()));

  private final String typeUrl;
  private final boolean wildcard;
  private final String shortName;

  ResourceType(String typeUrl, boolean wildcard, String shortName) {
    this.typeUrl = typeUrl;
    this.wildcard = wildcard;
    this.shortName = shortName;
  }

  public String typeUrl() {
    return typeUrl;
  }

  /** Whether clients receive every resource of this type rather than the ones they name. */
  public boolean wildcard() {
    return wildcard;
  }

  /** CDS, EDS, LDS or RDS, for logs and status messages. */
  public String shortName() {
    return shortName;
  }

  public static Optional<ResourceType> ofTypeUrl(String typeUrl) {
    return Optional.ofNullable(BY_URL.get(typeUrl));
  }
}
