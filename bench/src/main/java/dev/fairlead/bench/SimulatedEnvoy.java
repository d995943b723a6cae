package dev.fairlead.bench;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One simulated Envoy on one ADS stream, state-of-the-world or delta, doing what Envoy does:
 * subscribes to clusters and listeners (wildcard), then to the endpoints of the clusters it got and
 * the route tables its listeners name; ACKs every response; drops endpoints of clusters that went
 * away; on reconnecting over delta, sends the versions it holds ({@code
 * initial_resource_versions}). Optionally it NACKs the first cluster response it gets, as Envoy
 * does with a config it rejects (keeping what it had).
 *
 * <p>What it holds is a fingerprint per resource id ({@link CanonicalFingerprints}); each change of
 * that is reported to the current {@link Convergence}. Resource names are read from field 1 of each
 * resource (the name of a Cluster, Listener and RouteConfiguration, the cluster_name of a
 * ClusterLoadAssignment) without decoding the rest.
 *
 * <p>Thread-safe: every method is synchronized on the instance, because requests go out from the
 * driver's thread (connecting) and from gRPC's (answering), and a gRPC request stream takes one
 * caller at a time.
 *
 * <p>Per-type state sits in arrays indexed by the type's ordinal: a simulated fleet of thousands of
 * clients updates it on every response, and plain arrays keep that path free of map lookups and
 * boxing.
 */
@SuppressWarnings("EnumOrdinal")
final class SimulatedEnvoy {

  private static final ResourceType[] TYPES = ResourceType.values();

  private final int index;
  private final boolean delta;
  private final boolean nackFirstClusters;
  private final Node node;
  private final ResourceIds ids;
  private final LoadStats stats;
  private final EnvoyFleet fleet;
  private final long[][] held = new long[TYPES.length][];
  private final String[][] versions = new String[TYPES.length][];
  private final String[] sotwVersion = new String[TYPES.length];
  private final String[] sotwNonce = new String[TYPES.length];
  private static final BitSet NONE = new BitSet();

  private final BitSet endpointSubscription = new BitSet();
  private final BitSet routeSubscription = new BitSet();
  private final Map<String, ByteString> listeners = new HashMap<>();
  private boolean nacked;
  private StreamObserver<DiscoveryRequest> sotw;
  private StreamObserver<DeltaDiscoveryRequest> deltaStream;

  SimulatedEnvoy(
      int index,
      boolean delta,
      boolean nackFirstClusters,
      ResourceIds ids,
      LoadStats stats,
      EnvoyFleet fleet) {
    this.index = index;
    this.delta = delta;
    this.nackFirstClusters = nackFirstClusters;
    this.node =
        Node.newBuilder()
            .setId("bench-envoy-" + index)
            .setCluster(BenchConfig.FLEET)
            .setUserAgentName("envoy")
            .build();
    this.ids = ids;
    this.stats = stats;
    this.fleet = fleet;
    for (ResourceType type : TYPES) {
      held[type.ordinal()] = new long[ids.count(type)];
      versions[type.ordinal()] = new String[ids.count(type)];
      sotwVersion[type.ordinal()] = "";
      sotwNonce[type.ordinal()] = "";
    }
  }

  /**
   * Opens a stream on {@code channel} and subscribes, keeping what it holds (a reconnect) if
   * anything.
   */
  synchronized void connect(Channel channel) {
    AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub =
        AggregatedDiscoveryServiceGrpc.newStub(channel);
    if (delta) {
      deltaStream = stub.deltaAggregatedResources(new Responses<>(this::onDelta));
      for (ResourceType type : TYPES) {
        BitSet subscribed = subscription(type);
        if (type.wildcard() || !subscribed.isEmpty()) {
          DeltaDiscoveryRequest.Builder request =
              DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type.typeUrl());
          if (!type.wildcard()) {
            request.addAllResourceNamesSubscribe(ids.names(type, subscribed));
          }
          String[] known = versions[type.ordinal()];
          for (int id = 0; id < known.length; id++) {
            if (known[id] != null) {
              request.putInitialResourceVersions(ids.name(type, id), known[id]);
            }
          }
          send(request.build());
        }
      }
    } else {
      sotw = stub.streamAggregatedResources(new Responses<>(this::onSotw));
      for (ResourceType type : TYPES) {
        if (type.wildcard() || !subscription(type).isEmpty()) {
          sendSotwRequest(type, null);
        }
      }
    }
  }

  /**
   * The fingerprint held for a resource, {@link Fingerprint#ABSENT} if none: for correctness
   * checks.
   */
  synchronized long held(ResourceType type, int id) {
    return held[type.ordinal()][id];
  }

  private synchronized void onSotw(DiscoveryResponse response) {
    long now = System.nanoTime();
    ResourceType type =
        accepted(
            response.getTypeUrl(),
            response.getSerializedSize(),
            response.getResourcesCount(),
            rejected -> sendSotwRequest(rejected, response.getNonce()));
    if (type == null) {
      return;
    }
    int t = type.ordinal();
    BitSet seen = new BitSet();
    for (Any any : response.getResourcesList()) {
      int id = ids.id(type, nameOf(any.getValue()));
      if (id < 0) {
        stats.unexpected.increment();
        continue;
      }
      seen.set(id);
      hold(type, id, fleet.fingerprints().of(type, id, any.getValue()), now);
      if (type == ResourceType.LISTENER) {
        listeners.put(ids.name(type, id), any.getValue());
      }
    }
    if (type.wildcard()) {
      long[] fingerprints = held[t];
      for (int id = 0; id < fingerprints.length; id++) {
        if (fingerprints[id] != Fingerprint.ABSENT && !seen.get(id)) {
          hold(type, id, Fingerprint.ABSENT, now);
          listeners.remove(ids.name(type, id));
        }
      }
    }
    sotwVersion[t] = response.getVersionInfo();
    sotwNonce[t] = response.getNonce();
    sendSotwRequest(type, null);
    if (type == ResourceType.CLUSTER) {
      resubscribe(ResourceType.ENDPOINT, endpointsOfClusters(), now);
    } else if (type == ResourceType.LISTENER) {
      resubscribe(ResourceType.ROUTE, routesOfListeners(), now);
    }
  }

  private synchronized void onDelta(DeltaDiscoveryResponse response) {
    long now = System.nanoTime();
    ResourceType type =
        accepted(
            response.getTypeUrl(),
            response.getSerializedSize(),
            response.getResourcesCount(),
            rejected ->
                send(
                    DeltaDiscoveryRequest.newBuilder()
                        .setNode(node)
                        .setTypeUrl(rejected.typeUrl())
                        .setResponseNonce(response.getNonce())
                        .setErrorDetail(rejection())
                        .build()));
    if (type == null) {
      return;
    }
    int t = type.ordinal();
    for (Resource resource : response.getResourcesList()) {
      int id = ids.id(type, resource.getName());
      if (id < 0) {
        stats.unexpected.increment();
        continue;
      }
      versions[t][id] = resource.getVersion();
      hold(type, id, fleet.fingerprints().of(type, id, resource.getResource().getValue()), now);
      if (type == ResourceType.LISTENER) {
        listeners.put(resource.getName(), resource.getResource().getValue());
      }
    }
    for (String name : response.getRemovedResourcesList()) {
      int id = ids.id(type, name);
      if (id >= 0) {
        versions[t][id] = null;
        hold(type, id, Fingerprint.ABSENT, now);
        listeners.remove(name);
      }
    }
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(type.typeUrl())
            .setResponseNonce(response.getNonce())
            .build());
    if (type == ResourceType.CLUSTER) {
      resubscribe(ResourceType.ENDPOINT, endpointsOfClusters(), now);
    } else if (type == ResourceType.LISTENER) {
      resubscribe(ResourceType.ROUTE, routesOfListeners(), now);
    }
  }

  /**
   * Counts a response and decides on it: its type if it is to be applied; null for a type no client
   * asked for (counted as unexpected) or one this client rejects (then {@code nack} is sent).
   */
  private ResourceType accepted(
      String typeUrl, int bytes, int resources, Consumer<ResourceType> nack) {
    stats.responses.increment();
    stats.bytesReceived.add(bytes);
    ResourceType type = ResourceType.ofTypeUrl(typeUrl).orElse(null);
    if (type == null) {
      stats.unexpected.increment();
      return null;
    }
    if (nackFirstClusters && !nacked && type == ResourceType.CLUSTER) {
      nacked = true;
      stats.nacks.increment();
      fleet.convergence().rejected(index);
      nack.accept(type);
      return null;
    }
    stats.resources.add(resources);
    return type;
  }

  private void hold(ResourceType type, int id, long fingerprint, long now) {
    long[] fingerprints = held[type.ordinal()];
    if (fingerprints[id] != fingerprint) {
      fingerprints[id] = fingerprint;
      fleet.convergence().observe(index, type, id, fingerprint, now);
    }
  }

  /**
   * Subscribes {@code type} (endpoints or routes) to exactly {@code wanted}, dropping what is no
   * longer wanted.
   */
  private void resubscribe(ResourceType type, BitSet wanted, long now) {
    BitSet current = subscription(type);
    if (current.equals(wanted)) {
      return;
    }
    BitSet dropped = (BitSet) current.clone();
    dropped.andNot(wanted);
    BitSet added = (BitSet) wanted.clone();
    added.andNot(current);
    dropped.stream()
        .forEach(
            id -> {
              versions[type.ordinal()][id] = null;
              hold(type, id, Fingerprint.ABSENT, now);
            });
    current.clear();
    current.or(wanted);
    if (delta) {
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(node)
              .setTypeUrl(type.typeUrl())
              .addAllResourceNamesSubscribe(ids.names(type, added))
              .addAllResourceNamesUnsubscribe(ids.names(type, dropped))
              .build());
    } else {
      sendSotwRequest(type, null);
    }
  }

  /**
   * The names subscribed to of a type requested by name; none of SDS: the scenarios serve no
   * secrets.
   */
  private BitSet subscription(ResourceType type) {
    return switch (type) {
      case ENDPOINT -> endpointSubscription;
      case ROUTE -> routeSubscription;
      case CLUSTER, SECRET, LISTENER -> NONE;
    };
  }

  private BitSet endpointsOfClusters() {
    BitSet wanted = new BitSet();
    long[] clusters = held[ResourceType.CLUSTER.ordinal()];
    for (int id = 0; id < clusters.length; id++) {
      int assignment = ids.assignmentOfCluster(id);
      if (clusters[id] != Fingerprint.ABSENT && assignment >= 0) {
        wanted.set(assignment);
      }
    }
    return wanted;
  }

  private BitSet routesOfListeners() {
    BitSet wanted = new BitSet();
    for (ByteString bytes : listeners.values()) {
      try {
        for (FilterChain chain : Listener.parseFrom(bytes).getFilterChainsList()) {
          for (Filter filter : chain.getFiltersList()) {
            if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
              HttpConnectionManager manager =
                  filter.getTypedConfig().unpack(HttpConnectionManager.class);
              int id = ids.id(ResourceType.ROUTE, manager.getRds().getRouteConfigName());
              if (manager.hasRds() && id >= 0) {
                wanted.set(id);
              }
            }
          }
        }
      } catch (InvalidProtocolBufferException e) {
        stats.unexpected.increment();
      }
    }
    return wanted;
  }

  /**
   * A SotW request for {@code type}: an ACK of what it holds, or with {@code rejectedNonce} a NACK.
   */
  private void sendSotwRequest(ResourceType type, String rejectedNonce) {
    int t = type.ordinal();
    DiscoveryRequest.Builder request =
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(type.typeUrl())
            .setVersionInfo(sotwVersion[t])
            .setResponseNonce(rejectedNonce == null ? sotwNonce[t] : rejectedNonce);
    if (!type.wildcard()) {
      request.addAllResourceNames(ids.names(type, subscription(type)));
    }
    if (rejectedNonce != null) {
      request.setErrorDetail(rejection());
    }
    stats.requests.increment();
    sotw.onNext(request.build());
  }

  private void send(DeltaDiscoveryRequest request) {
    stats.requests.increment();
    deltaStream.onNext(request);
  }

  private static Status rejection() {
    return Status.newBuilder()
        .setCode(3)
        .setMessage("rejected by the load generator (nackFirstClusters)")
        .build();
  }

  private void failed() {
    if (!fleet.expectingDisconnects()) {
      stats.streamErrors.increment();
    }
  }

  /** Field 1 of a resource: its name. */
  static String nameOf(ByteString value) {
    try {
      CodedInputStream in = value.newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == ((1 << 3) | 2)) {
          return in.readStringRequireUtf8();
        }
        in.skipField(tag);
      }
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException("not a protobuf resource", e);
    }
  }

  private final class Responses<T> implements StreamObserver<T> {

    private final Consumer<T> handler;

    Responses(Consumer<T> handler) {
      this.handler = handler;
    }

    @Override
    public void onNext(T value) {
      handler.accept(value);
    }

    @Override
    public void onError(Throwable t) {
      failed();
    }

    @Override
    public void onCompleted() {
      // The server ended the stream (it is shutting down); the driver reconnects when its scenario
      // says so.
    }
  }
}
