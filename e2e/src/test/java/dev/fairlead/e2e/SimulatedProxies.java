package dev.fairlead.e2e;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * A fleet of simulated proxies on state-of-the-world ADS streams, spread over the soak's replicas:
 * each asks for clusters and listeners (wildcard) and for the endpoints of one cluster, as an Envoy
 * of the soak's Gateway does ({@code node.cluster} {@code default/edge}), and answers every
 * response. Every {@code nackEvery}-th proxy rejects every cluster response (with an error detail,
 * as Envoy does), and acknowledges the rest. A stream that ends (a replica killed, restarted or
 * rolled) is opened again a second later, on the next replica in turn.
 *
 * <p>What it is for: the soak's replicas serve a thousand streams besides the real Envoy and gRPC
 * client while faults hit them, and at the end every acknowledging proxy must hold the endpoints
 * the cluster says ({@link #holding}).
 *
 * <p>Thread-safe: each proxy's state is confined to its stream's callbacks, which gRPC runs one at
 * a time per stream; the endpoints it holds are published through a volatile field.
 */
final class SimulatedProxies implements AutoCloseable {

  private static final String CLUSTERS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final String LISTENERS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  private static final String ENDPOINTS =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private final List<ManagedChannel> channels = new ArrayList<>();

  /** The replica port of each channel, by the channel's index. */
  private final List<Integer> ports;

  private final List<Proxy> proxies = new ArrayList<>();
  private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor();
  private final String endpointsOf;
  private final AtomicLong streamsOpened = new AtomicLong();
  private final AtomicLong streamsEnded = new AtomicLong();
  private final AtomicLong nacksSent = new AtomicLong();
  private volatile boolean closed;

  /**
   * Opens {@code count} streams, spread over one channel per replica port, proxy {@code i} starting
   * on port {@code i % ports}.
   */
  SimulatedProxies(int count, int nackEvery, List<Integer> xdsPorts, String endpointsOf) {
    this.endpointsOf = endpointsOf;
    this.ports = List.copyOf(xdsPorts);
    for (int port : xdsPorts) {
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }
    for (int i = 0; i < count; i++) {
      Proxy proxy = new Proxy(i, nackEvery > 0 && i % nackEvery == 0);
      proxies.add(proxy);
      proxy.open();
    }
  }

  /** How many proxies acknowledge (the others reject every cluster response). */
  long acknowledging() {
    return proxies.stream().filter(p -> !p.nacking).count();
  }

  /**
   * How many acknowledging proxies hold exactly {@code addresses} (IP addresses) as the cluster's
   * endpoints.
   */
  long holding(Set<String> addresses) {
    return proxies.stream().filter(p -> !p.nacking && addresses.equals(p.endpoints)).count();
  }

  /**
   * How many acknowledging proxies have their stream to the replica serving xDS on {@code port}.
   */
  long acknowledgingOn(int port) {
    return proxies.stream().filter(p -> !p.nacking && ports.get(p.channel) == port).count();
  }

  /**
   * How many acknowledging proxies with their stream to the replica on {@code port} hold exactly
   * {@code addresses} as the cluster's endpoints.
   */
  long holdingOn(int port, Set<String> addresses) {
    return proxies.stream()
        .filter(p -> !p.nacking && ports.get(p.channel) == port && addresses.equals(p.endpoints))
        .count();
  }

  /**
   * What the acknowledging proxies with their stream to the replica on {@code port} hold, for a
   * failure's message: each endpoint set held and by how many, and how many got clusters on their
   * current stream.
   */
  String describeOn(int port) {
    List<Proxy> on =
        proxies.stream().filter(p -> !p.nacking && ports.get(p.channel) == port).toList();
    Map<Set<String>, Long> held =
        on.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    p -> p.endpoints, java.util.stream.Collectors.counting()));
    return on.size()
        + " acknowledging proxies on port "
        + port
        + ", "
        + on.stream().filter(p -> p.served).count()
        + " served on their current stream; endpoints held: "
        + held;
  }

  /** How many proxies of either kind got clusters on their current stream. */
  long served() {
    return proxies.stream().filter(p -> p.served).count();
  }

  long streamsOpened() {
    return streamsOpened.get();
  }

  long streamsEnded() {
    return streamsEnded.get();
  }

  long nacksSent() {
    return nacksSent.get();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    reconnects.shutdownNow();
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : channels) {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** One simulated proxy: its stream, and what it holds. */
  private final class Proxy implements StreamObserver<DiscoveryResponse> {
    private final boolean nacking;
    private final Node node;
    private final IntSupplier nextChannel;
    private StreamObserver<DiscoveryRequest> requests;
    private String acceptedClusters = "";
    private volatile Set<String> endpoints = Set.of();
    private volatile boolean served;

    /** The index of the channel its current stream is on. */
    private volatile int channel;

    Proxy(int index, boolean nacking) {
      this.nacking = nacking;
      this.node =
          Node.newBuilder()
              .setId("soak-simulated-" + index)
              .setCluster(SoakSystem.NAMESPACE + "/edge")
              .setUserAgentName("envoy")
              .build();
      int[] turn = {index};
      this.nextChannel = () -> turn[0]++ % channels.size();
    }

    void open() {
      if (closed) {
        return;
      }
      streamsOpened.incrementAndGet();
      served = false;
      acceptedClusters = "";
      channel = nextChannel.getAsInt();
      StreamObserver<DiscoveryRequest> stream =
          AggregatedDiscoveryServiceGrpc.newStub(channels.get(channel))
              .streamAggregatedResources(this);
      synchronized (this) {
        requests = stream;
        stream.onNext(request(CLUSTERS, "", "").build());
        stream.onNext(request(LISTENERS, "", "").build());
        stream.onNext(request(ENDPOINTS, "", "").addResourceNames(endpointsOf).build());
      }
    }

    private DiscoveryRequest.Builder request(String type, String version, String nonce) {
      return DiscoveryRequest.newBuilder()
          .setNode(node)
          .setTypeUrl(type)
          .setVersionInfo(version)
          .setResponseNonce(nonce);
    }

    @Override
    public synchronized void onNext(DiscoveryResponse response) {
      String type = response.getTypeUrl();
      DiscoveryRequest.Builder answer =
          request(type, response.getVersionInfo(), response.getNonce());
      if (type.equals(CLUSTERS)) {
        served = true;
        if (nacking) {
          nacksSent.incrementAndGet();
          answer
              .setVersionInfo(acceptedClusters)
              .setErrorDetail(
                  com.google.rpc.Status.newBuilder()
                      .setCode(3)
                      .setMessage(
                          "soak-simulated rejection of clusters version "
                              + response.getVersionInfo()));
        } else {
          acceptedClusters = response.getVersionInfo();
        }
      } else if (type.equals(ENDPOINTS)) {
        answer.addResourceNames(endpointsOf);
        endpoints = endpoints(response);
      }
      requests.onNext(answer.build());
    }

    private Set<String> endpoints(DiscoveryResponse response) {
      Set<String> addresses = new TreeSet<>();
      for (var resource : response.getResourcesList()) {
        try {
          ClusterLoadAssignment assignment = resource.unpack(ClusterLoadAssignment.class);
          if (assignment.getClusterName().equals(endpointsOf)) {
            assignment
                .getEndpointsList()
                .forEach(
                    locality ->
                        locality
                            .getLbEndpointsList()
                            .forEach(
                                lb -> {
                                  addresses.add(
                                      lb.getEndpoint()
                                          .getAddress()
                                          .getSocketAddress()
                                          .getAddress());
                                }));
          }
        } catch (InvalidProtocolBufferException e) {
          return Set.of();
        }
      }
      return addresses;
    }

    @Override
    public void onError(Throwable error) {
      ended();
    }

    @Override
    public void onCompleted() {
      ended();
    }

    private void ended() {
      streamsEnded.incrementAndGet();
      if (!closed) {
        var unused = reconnects.schedule(this::open, 1, TimeUnit.SECONDS);
      }
    }
  }
}
