package dev.fairlead.xds.server;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.Durations;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the xDS path hot before a server takes its first proxy. A JVM starts by interpreting its
 * code and compiles what runs often: a freshly started Fairlead spent more CPU compiling than
 * answering while a thousand proxies reconnected to it at once (BENCHMARKS.md, scenario d), so the
 * proxies that come first — after a restart, all of them — meet a server at a fraction of its
 * speed. The warm-up serves a synthetic fleet to simulated proxies over a throwaway server on a
 * loopback port, for a bounded time: both ADS modes, first requests, ACKs, full pushes and single
 * changes, through the classes the real server answers with (cache, streams, gRPC over Netty,
 * protobuf), so that their hot methods are compiled when the real proxies come.
 *
 * <p>Written here because no library warms a gRPC server's own code paths; the JDK's class-data
 * sharing loads classes faster but compiles nothing. Best effort: a step that does not complete in
 * time ends the warm-up, never the start. Nothing of it stays: its cache, streams, server and
 * channel are closed before {@link #run} returns.
 */
public final class XdsWarmUp {

  private static final Logger LOG = LoggerFactory.getLogger(XdsWarmUp.class);

  private static final String FLEET = "fairlead-warm-up";

  /** How long one step (the proxies' answers to one change) may take before the warm-up ends. */
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(5);

  /**
   * What the warm-up did.
   *
   * @param rounds rounds completed (connect, full push, single changes, disconnect)
   * @param responses responses the simulated proxies received
   * @param took how long it ran
   * @param endedEarly why it ended before its budget, if it did
   */
  public record Result(int rounds, int responses, Duration took, Optional<String> endedEarly) {}

  private final int proxies;
  private final int upstreams;

  /**
   * The warm-up Fairlead runs before it serves: 16 simulated proxies (8 per ADS mode) of a fleet of
   * 200 clusters, small enough for about a dozen rounds in 3 s on two cores, so that the methods of
   * every step are called often enough to be compiled.
   */
  public static XdsWarmUp standard() {
    return new XdsWarmUp(16, 200);
  }

  /** How many simulated proxies it serves. */
  public int proxies() {
    return proxies;
  }

  /**
   * A warm-up with {@code proxies} simulated proxies (half state-of-the-world, half delta) of a
   * fleet of {@code upstreams} clusters.
   */
  public XdsWarmUp(int proxies, int upstreams) {
    if (proxies < 2 || upstreams < 1) {
      throw new IllegalArgumentException(
          "a warm-up needs at least 2 proxies and 1 upstream, was " + proxies + ", " + upstreams);
    }
    this.proxies = proxies;
    this.upstreams = upstreams;
  }

  /**
   * Warms up for about {@code budget}: one round at least, and a round begun is finished. Zero does
   * nothing.
   */
  public Result run(Duration budget) {
    long started = System.nanoTime();
    if (budget.isZero() || budget.isNegative()) {
      return new Result(0, 0, Duration.ZERO, Optional.empty());
    }
    long deadline = started + budget.toNanos();
    XdsCache cache = new XdsCache();
    AtomicInteger responses = new AtomicInteger();
    int rounds = 0;
    int generation = 0;
    Optional<String> endedEarly = Optional.empty();
    try (XdsServer server =
            XdsServer.start(
                "127.0.0.1",
                0,
                ServerTransport.plaintext(),
                cache,
                new StreamRegistry(new SimpleMeterRegistry(), Clock.systemUTC()));
        Channel channel = new Channel(server.port())) {
      cache.setFleet(FLEET, fleet(++generation, -1));
      do {
        List<SimulatedProxy<?, ?>> connected = new ArrayList<>();
        for (int i = 0; i < proxies; i++) {
          SimulatedProxy<?, ?> proxy =
              i % 2 == 0
                  ? new SotwProxy(channel.channel, "warm-up-" + i, responses)
                  : new DeltaProxy(channel.channel, "warm-up-" + i, responses);
          connected.add(proxy);
          proxy.connect();
        }
        // Connect: clusters and listeners, then endpoints and routes.
        awaitAll(connected, 4);
        // A full push: every cluster and its endpoints change.
        cache.setFleet(FLEET, fleet(++generation, -1));
        awaitAll(connected, 2);
        // Single changes, one endpoint each.
        for (int change = 0; change < 5; change++) {
          cache.setFleet(FLEET, fleet(generation, change % upstreams));
          awaitAll(connected, 1);
        }
        connected.forEach(SimulatedProxy::close);
        rounds++;
      } while (System.nanoTime() < deadline);
    } catch (StepTimedOut e) {
      endedEarly = Optional.of(e.getMessage());
    } catch (RuntimeException e) {
      LOG.debug("xDS warm-up ended early", e);
      endedEarly = Optional.of(e.toString());
    }
    return new Result(
        rounds, responses.get(), Duration.ofNanos(System.nanoTime() - started), endedEarly);
  }

  private static void awaitAll(List<SimulatedProxy<?, ?>> connected, int each) {
    for (SimulatedProxy<?, ?> proxy : connected) {
      proxy.await(each);
    }
  }

  /**
   * The synthetic fleet: {@link #upstreams} EDS clusters of generation {@code generation} with
   * three endpoints each (the endpoint of cluster {@code moved} on another port), a listener and
   * its route table sending to all of them.
   */
  private Map<ResourceType, List<Message>> fleet(int generation, int moved) {
    List<Message> clusters = new ArrayList<>(upstreams);
    List<Message> endpoints = new ArrayList<>(upstreams);
    VirtualHost.Builder host = VirtualHost.newBuilder().setName("warm-up").addDomains("*");
    for (int i = 0; i < upstreams; i++) {
      String name = "warm-up-" + i;
      clusters.add(
          Cluster.newBuilder()
              .setName(name)
              .setType(Cluster.DiscoveryType.EDS)
              .setEdsClusterConfig(
                  Cluster.EdsClusterConfig.newBuilder()
                      .setEdsConfig(
                          ConfigSource.newBuilder()
                              .setAds(AggregatedConfigSource.getDefaultInstance())))
              .setConnectTimeout(Durations.fromMillis(1000 + generation))
              .build());
      LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
      for (int e = 0; e < 3; e++) {
        int port = 8000 + generation + (i == moved ? 1000 : 0);
        locality.addLbEndpoints(
            LbEndpoint.newBuilder()
                .setEndpoint(
                    Endpoint.newBuilder()
                        .setAddress(
                            Address.newBuilder()
                                .setSocketAddress(
                                    SocketAddress.newBuilder()
                                        .setAddress("127.0.0." + (e + 1))
                                        .setPortValue(port)))));
      }
      endpoints.add(
          ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build());
      host.addRoutes(
          Route.newBuilder()
              .setMatch(RouteMatch.newBuilder().setPrefix("/" + name))
              .setRoute(RouteAction.newBuilder().setCluster(name)));
    }
    HttpConnectionManager manager =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("warm-up")
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName("warm-up")
                    .setConfigSource(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())))
            .build();
    Listener listener =
        Listener.newBuilder()
            .setName("warm-up")
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(10000)))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.http_connection_manager")
                            .setTypedConfig(Any.pack(manager))))
            .build();
    Map<ResourceType, List<Message>> fleet = new EnumMap<>(ResourceType.class);
    fleet.put(ResourceType.CLUSTER, clusters);
    fleet.put(ResourceType.ENDPOINT, endpoints);
    fleet.put(ResourceType.LISTENER, List.of(listener));
    fleet.put(
        ResourceType.ROUTE,
        List.of(RouteConfiguration.newBuilder().setName("warm-up").addVirtualHosts(host).build()));
    return fleet;
  }

  /** A loopback channel to the throwaway server. */
  private static final class Channel implements AutoCloseable {
    final ManagedChannel channel;

    Channel(int port) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Override
    public void close() {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A step that did not complete in time. */
  private static final class StepTimedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepTimedOut(String message) {
      super(message);
    }
  }

  /**
   * A proxy as Envoy behaves: asks for clusters and listeners, then for the endpoints and routes
   * they name, and acknowledges every response.
   */
  private abstract static class SimulatedProxy<Q, R> implements StreamObserver<R> {
    private final Semaphore received = new Semaphore(0);
    private final AtomicInteger counted;
    private final StreamObserver<Q> requests;
    final Node node;

    /**
     * @param open opens the proxy's stream, given where its responses go
     */
    SimulatedProxy(
        String id, AtomicInteger counted, Function<StreamObserver<R>, StreamObserver<Q>> open) {
      this.node = Node.newBuilder().setId(id).setCluster(FLEET).build();
      this.counted = counted;
      this.requests = open.apply(this);
    }

    abstract void connect();

    /** Requests go out one at a time: gRPC's request observer is not thread-safe. */
    final synchronized void send(Q request) {
      requests.onNext(request);
    }

    final void close() {
      requests.onCompleted();
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}

    /**
     * The type whose names a response of {@code type} lists: endpoints of clusters, routes of
     * listeners.
     */
    static Optional<ResourceType> namedBy(ResourceType type) {
      return switch (type) {
        case CLUSTER -> Optional.of(ResourceType.ENDPOINT);
        case LISTENER -> Optional.of(ResourceType.ROUTE);
        default -> Optional.empty();
      };
    }

    void received() {
      counted.incrementAndGet();
      received.release();
    }

    void await(int responses) {
      try {
        if (!received.tryAcquire(responses, STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new StepTimedOut(
              node.getId() + " did not receive " + responses + " responses in " + STEP_TIMEOUT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StepTimedOut("interrupted");
      }
    }

    /** The names of the resources in {@code resources} of {@code type}, decoded as Envoy does. */
    static List<String> names(ResourceType type, List<Any> resources) {
      List<String> names = new ArrayList<>(resources.size());
      for (Any any : resources) {
        try {
          names.add(
              switch (type) {
                case CLUSTER -> any.unpack(Cluster.class).getName();
                case LISTENER -> listenerRoute(any.unpack(Listener.class));
                default -> "";
              });
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException("undecodable " + type.shortName(), e);
        }
      }
      return names;
    }

    private static String listenerRoute(Listener listener) throws InvalidProtocolBufferException {
      return listener
          .getFilterChains(0)
          .getFilters(0)
          .getTypedConfig()
          .unpack(HttpConnectionManager.class)
          .getRds()
          .getRouteConfigName();
    }
  }

  /** A state-of-the-world proxy. */
  private static final class SotwProxy extends SimulatedProxy<DiscoveryRequest, DiscoveryResponse> {
    private final Map<ResourceType, List<String>> asked = new EnumMap<>(ResourceType.class);

    SotwProxy(ManagedChannel channel, String id, AtomicInteger counted) {
      super(
          id, counted, AggregatedDiscoveryServiceGrpc.newStub(channel)::streamAggregatedResources);
    }

    @Override
    void connect() {
      for (ResourceType type : List.of(ResourceType.CLUSTER, ResourceType.LISTENER)) {
        asked.put(type, List.of());
        send(request(type, List.of(), "", ""));
      }
    }

    private DiscoveryRequest request(
        ResourceType type, List<String> names, String version, String nonce) {
      return DiscoveryRequest.newBuilder()
          .setNode(node)
          .setTypeUrl(type.typeUrl())
          .addAllResourceNames(names)
          .setVersionInfo(version)
          .setResponseNonce(nonce)
          .build();
    }

    @Override
    public void onNext(DiscoveryResponse response) {
      ResourceType type = ResourceType.ofTypeUrl(response.getTypeUrl()).orElseThrow();
      List<String> names = asked.getOrDefault(type, List.of());
      send(request(type, names, response.getVersionInfo(), response.getNonce()));
      Optional<ResourceType> namedBy = namedBy(type);
      if (namedBy.isPresent()) {
        ResourceType named = namedBy.get();
        List<String> wanted =
            type == ResourceType.CLUSTER
                ? names(type, response.getResourcesList())
                : names(type, response.getResourcesList()).stream().distinct().toList();
        if (!wanted.equals(asked.get(named))) {
          asked.put(named, wanted);
          send(request(named, wanted, "", ""));
        }
      }
      received();
    }
  }

  /** A delta proxy. */
  private static final class DeltaProxy
      extends SimulatedProxy<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    private final Map<ResourceType, Set<String>> subscribed = new EnumMap<>(ResourceType.class);

    DeltaProxy(ManagedChannel channel, String id, AtomicInteger counted) {
      super(id, counted, AggregatedDiscoveryServiceGrpc.newStub(channel)::deltaAggregatedResources);
    }

    @Override
    void connect() {
      for (ResourceType type : List.of(ResourceType.CLUSTER, ResourceType.LISTENER)) {
        send(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type.typeUrl()).build());
      }
    }

    @Override
    public void onNext(DeltaDiscoveryResponse response) {
      ResourceType type = ResourceType.ofTypeUrl(response.getTypeUrl()).orElseThrow();
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(response.getTypeUrl())
              .setResponseNonce(response.getNonce())
              .build());
      Optional<ResourceType> namedBy = namedBy(type);
      if (namedBy.isPresent()) {
        ResourceType named = namedBy.get();
        List<Any> resources = new ArrayList<>(response.getResourcesCount());
        response.getResourcesList().forEach(resource -> resources.add(resource.getResource()));
        Set<String> already = subscribed.computeIfAbsent(named, t -> new HashSet<>());
        List<String> added =
            names(type, resources).stream().distinct().filter(already::add).toList();
        if (!added.isEmpty()) {
          send(
              DeltaDiscoveryRequest.newBuilder()
                  .setTypeUrl(named.typeUrl())
                  .addAllResourceNamesSubscribe(added)
                  .build());
        }
      }
      received();
    }
  }
}
