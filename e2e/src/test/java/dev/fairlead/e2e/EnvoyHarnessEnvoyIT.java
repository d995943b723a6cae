package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.Backends;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.HttpBackend;
import dev.fairlead.testkit.LoopbackPorts;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
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
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Envoy harness works: a real Envoy started from an ADS bootstrap (state-of-the-world and
 * delta) gets ready, and a request through it reaches a local backend. The control plane here is
 * java-control-plane's stock cache, used only as scaffolding for these harness checks; Fairlead's
 * own cache is tested elsewhere.
 */
class EnvoyHarnessEnvoyIT {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final String FLEET = "smoke-fleet";

  @RegisterExtension final Envoys envoys = new Envoys();

  @RegisterExtension final Backends backends = new Backends();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private SimpleCache<String> cache;
  private Server xds;

  @BeforeEach
  void startControlPlane() throws IOException {
    cache = new SimpleCache<>(node -> node.getCluster());
    xds =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
  }

  @AfterEach
  void stopControlPlane() throws InterruptedException {
    xds.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(AdsMode.class)
  void envoyWithAnAdsBootstrapBecomesReady(AdsMode mode) {
    cache.setSnapshot(FLEET, snapshot("1", LoopbackPorts.free(), backends.http("idle")));

    EnvoyProcess envoy =
        envoys
            .start(EnvoyBootstrap.ads(xds.getPort(), mode).withNode("ready-" + mode, FLEET))
            .awaitReady(READY_TIMEOUT);

    assertThat(envoy.admin("/ready").body()).contains("LIVE");
  }

  @ParameterizedTest
  @EnumSource(AdsMode.class)
  void requestThroughEnvoyReachesTheLocalBackend(AdsMode mode) {
    HttpBackend blue = backends.http("blue");
    int listenerPort = LoopbackPorts.free();
    cache.setSnapshot(FLEET, snapshot("1", listenerPort, blue));

    envoys
        .start(EnvoyBootstrap.ads(xds.getPort(), mode).withNode("traffic-" + mode, FLEET))
        .awaitReady(READY_TIMEOUT);

    await("a request through Envoy reaches backend blue")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              HttpResponse<String> response =
                  http.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + listenerPort + "/hello"))
                          .timeout(Duration.ofSeconds(5))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(response.headers().firstValue(HttpBackend.IDENTITY_HEADER))
                  .hasValue("blue");
            });
    assertThat(blue.requests()).isPositive();
  }

  /**
   * One listener on {@code listenerPort} routing everything to one EDS cluster with one endpoint.
   */
  private static Snapshot snapshot(String version, int listenerPort, HttpBackend backend) {
    ConfigSource ads =
        ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    Cluster cluster =
        Cluster.newBuilder()
            .setName(backend.name())
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads))
            .setConnectTimeout(Durations.fromSeconds(1))
            .build();
    ClusterLoadAssignment endpoints =
        ClusterLoadAssignment.newBuilder()
            .setClusterName(backend.name())
            .addEndpoints(
                LocalityLbEndpoints.newBuilder()
                    .addLbEndpoints(
                        LbEndpoint.newBuilder()
                            .setEndpoint(
                                Endpoint.newBuilder()
                                    .setAddress(address(backend.host(), backend.port())))))
            .build();
    RouteConfiguration routes =
        RouteConfiguration.newBuilder()
            .setName("smoke-routes")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("all")
                    .addDomains("*")
                    .addRoutes(
                        Route.newBuilder()
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(RouteAction.newBuilder().setCluster(backend.name()))))
            .build();
    HttpConnectionManager manager =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("smoke")
            .setRds(Rds.newBuilder().setConfigSource(ads).setRouteConfigName(routes.getName()))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    Listener listener =
        Listener.newBuilder()
            .setName("smoke-http")
            .setAddress(address("127.0.0.1", listenerPort))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.http_connection_manager")
                            .setTypedConfig(Any.pack(manager))))
            .build();
    return Snapshot.create(
        List.of(cluster),
        List.of(endpoints),
        List.of(listener),
        List.of(routes),
        List.of(),
        version);
  }

  private static Address address(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }
}
