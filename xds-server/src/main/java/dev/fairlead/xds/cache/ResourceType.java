package dev.fairlead.xds.cache;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The xDS resource types Fairlead serves: their type URLs, how a resource of each is named, and
 * which are wildcard types. Clusters and listeners are wildcard types (a client gets all of its
 * fleet's); endpoints, secrets and routes are requested by name. The one place that decides either.
 *
 * <p>The declaration order is the order in which the cache answers the watches of one update: a
 * secret reaches a proxy before a listener that names it in an {@code sds_config}, as clusters
 * reach it before their endpoints.
 */
public enum ResourceType {
  CLUSTER(Cluster.getDefaultInstance(), resource -> ((Cluster) resource).getName(), true, "CDS"),
  ENDPOINT(
      ClusterLoadAssignment.getDefaultInstance(),
      resource -> ((ClusterLoadAssignment) resource).getClusterName(),
      false,
      "EDS"),
  SECRET(Secret.getDefaultInstance(), resource -> ((Secret) resource).getName(), false, "SDS"),
  LISTENER(Listener.getDefaultInstance(), resource -> ((Listener) resource).getName(), true, "LDS"),
  ROUTE(
      RouteConfiguration.getDefaultInstance(),
      resource -> ((RouteConfiguration) resource).getName(),
      false,
      "RDS");

  private static final String TYPE_URL_PREFIX = "type.googleapis.com/";
  private static final Map<String, ResourceType> BY_URL =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(ResourceType::typeUrl, Function.identity()));

  private final Class<? extends Message> messageClass;

  // Each is a stateless method reference, so the enum stays immutable.
  @SuppressWarnings("ImmutableEnumChecker")
  private final Function<Message, String> nameOf;

  private final String typeUrl;
  private final boolean wildcard;
  private final String shortName;

  ResourceType(
      Message defaultInstance,
      Function<Message, String> nameOf,
      boolean wildcard,
      String shortName) {
    this.messageClass = defaultInstance.getClass();
    this.nameOf = nameOf;
    this.typeUrl = TYPE_URL_PREFIX + defaultInstance.getDescriptorForType().getFullName();
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

  /** CDS, EDS, SDS, LDS or RDS, for logs and status messages. */
  public String shortName() {
    return shortName;
  }

  /**
   * The name a resource of this type goes by in xDS (a ClusterLoadAssignment's cluster name, the
   * others' name).
   *
   * @throws IllegalArgumentException if {@code resource} is not a message of this type, or has no
   *     name
   */
  public String name(Message resource) {
    if (!messageClass.isInstance(resource)) {
      throw new IllegalArgumentException(
          "Not a " + shortName + " resource: " + resource.getClass().getName());
    }
    String name = nameOf.apply(resource);
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "Not a named " + shortName + " resource: " + resource.getClass().getName());
    }
    return name;
  }

  public static Optional<ResourceType> ofTypeUrl(String typeUrl) {
    return Optional.ofNullable(BY_URL.get(typeUrl));
  }
}
