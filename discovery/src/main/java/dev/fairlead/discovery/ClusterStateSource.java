package dev.fairlead.discovery;

import dev.fairlead.api.params.ProxyNames;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.runtime.CoalescingWorkQueue;
import dev.fairlead.runtime.InformerEventHandler;
import dev.fairlead.runtime.InformerGroup;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes mode's source of {@link ClusterState}: informers for Services, EndpointSlices ({@code
 * discovery.k8s.io/v1}), Upstreams, GatewayClasses (cluster-scoped: watched across the cluster even
 * when the namespaces are limited), Gateways, HTTPRoutes and GRPCRoutes ({@code
 * gateway.networking.k8s.io/v1}), ReferenceGrants ({@code gateway.networking.k8s.io/v1beta1}, which
 * permit references across namespaces), GatewayParameters (the settings of Fairlead's fleets), the
 * ConfigMaps labelled {@value #CA_BUNDLE_LABEL}{@code =true} (CA bundles Upstream TLS refers to)
 * and Allocations (which endpoint of an Upstream in allocation mode each request may reach), the
 * Secrets of type {@value ClusterState#TLS_SECRET_TYPE} (certificates of HTTPS listeners; a field
 * selector on {@code type} keeps every other Secret out of the cache), in all namespaces or in a
 * given list, and Namespaces (cluster-scoped: their labels are what {@code
 * allowedRoutes.namespaces.from: Selector} matches).
 *
 * <p>Every informer event asks for a rebuild; rebuilds coalesce as {@link CoalescingDelay}
 * describes (by default 100 ms of quiet, at most 1 s after a burst's first event). A rebuild is
 * level-triggered: it assembles the state from the informer caches as they are at that moment,
 * never from the event, so dropped intermediate events lose nothing. Nothing is published until
 * every informer has synced, so the first state is complete rather than a partial list; after that,
 * each rebuild hands a new state to the consumer. Syncing needs the Upstream and the Gateway API
 * CRDs installed: until they are, the informers concerned retry and log why. GRPCRoute is optional:
 * when the API server does not serve it at {@link #start()} (CRDs of a Gateway API release before
 * v1.1, say), it is logged once and no GRPCRoute is watched, until a restart.
 *
 * <p>Concurrency contract: the consumer is called on one dedicated thread ({@code
 * fairlead-cluster-state}), never concurrently with itself, with states in the order they were
 * built; it should return promptly (it delays the next rebuild) and an exception it throws is
 * logged and does not stop later rebuilds. {@link #start()} and {@link #close()} are called once
 * each, from any thread; {@link #hasSynced()} from any thread.
 *
 * <p>Metrics: {@code fairlead_informer_events_total{kind,type}} (type {@code add|update|delete}),
 * {@code fairlead_informer_watching{kind}} and {@code fairlead_cluster_state_rebuilds_total}, as
 * the Prometheus registry names them.
 */
public final class ClusterStateSource implements AutoCloseable {

  /** Label that marks a ConfigMap as a CA bundle Upstreams may refer to. */
  public static final String CA_BUNDLE_LABEL = "fairlead.dev/ca-bundle";

  private static final Logger LOG = LoggerFactory.getLogger(ClusterStateSource.class);

  /** The one key of the rebuild queue: there is only one state to rebuild. */
  private enum Rebuild {
    STATE
  }

  private final Consumer<ClusterState> consumer;
  private final MeterRegistry registry;
  private final Counter rebuilds;
  private final CoalescingWorkQueue<Rebuild> queue;
  private final InformerGroup<Upstream> upstreams;
  private final InformerGroup<Gateway> gateways;
  private final InformerGroup<HTTPRoute> httpRoutes;
  private final InformerGroup<Service> services;
  private final InformerGroup<EndpointSlice> endpointSlices;
  private final InformerGroup<ConfigMap> configMaps;
  private final InformerGroup<Allocation> allocations;
  private final InformerGroup<ReferenceGrant> referenceGrants;
  private final InformerGroup<GatewayClass> gatewayClasses;
  private final InformerGroup<Secret> secrets;
  private final InformerGroup<Namespace> namespaceObjects;
  private final InformerGroup<GRPCRoute> grpcRoutes;
  private final InformerGroup<GatewayParameters> gatewayParameters;
  private final Optional<InformerGroup<Deployment>> deployments;
  private final KubernetesClient client;

  /**
   * The informers started: every group, GRPCRoutes only where the API server serves them. Set by
   * start.
   */
  private volatile List<InformerGroup<?>> all = List.of();

  private volatile boolean grpcRoutesServed;

  /**
   * Set by {@link #close}: informers that stop then, before they synced, were stopped on purpose.
   */
  private volatile boolean closed;

  private volatile boolean synced;

  /**
   * @param client the client the informers use; the caller keeps ownership and closes it after this
   *     source
   * @param namespaces namespaces to watch; empty for all
   * @param delay how events coalesce into rebuilds
   * @param registry where the metrics go
   * @param consumer receives every state built, on the rebuild thread
   */
  public ClusterStateSource(
      KubernetesClient client,
      Set<String> namespaces,
      CoalescingDelay delay,
      MeterRegistry registry,
      Consumer<ClusterState> consumer) {
    this(client, namespaces, delay, registry, consumer, false);
  }

  /**
   * A source that, with {@code proxyDeployments}, also watches the Envoy Deployments of managed
   * fleets (those labelled {@value ProxyNames#MANAGED_BY}{@code =}{@value ProxyNames#PROVISIONER}),
   * for the Gateways' {@code Programmed}.
   */
  public ClusterStateSource(
      KubernetesClient client,
      Set<String> namespaces,
      CoalescingDelay delay,
      MeterRegistry registry,
      Consumer<ClusterState> consumer,
      boolean proxyDeployments) {
    Objects.requireNonNull(client, "client");
    Set<String> watched = Set.copyOf(namespaces);
    this.client = client;
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.rebuilds =
        Counter.builder("fairlead.cluster_state.rebuilds")
            .description("ClusterState rebuilds handed to the translator")
            .register(registry);
    this.queue = new CoalescingWorkQueue<>("fairlead-cluster-state", delay, 1, key -> rebuild());
    this.upstreams = group("Upstream", watched, in(client.resources(Upstream.class)));
    this.gateways = group("Gateway", watched, in(client.resources(Gateway.class)));
    this.httpRoutes = group("HTTPRoute", watched, in(client.resources(HTTPRoute.class)));
    this.services = group("Service", watched, in(client.services()));
    this.endpointSlices =
        group("EndpointSlice", watched, in(client.discovery().v1().endpointSlices()));
    this.configMaps =
        group(
            "ConfigMap",
            watched,
            ns ->
                (ns == null
                        ? client.configMaps().inAnyNamespace()
                        : client.configMaps().inNamespace(ns))
                    .withLabel(CA_BUNDLE_LABEL, "true"));
    this.allocations = group("Allocation", watched, in(client.resources(Allocation.class)));
    this.referenceGrants =
        group("ReferenceGrant", watched, in(client.resources(ReferenceGrant.class)));
    this.gatewayClasses =
        new InformerGroup<>(
            "GatewayClass", false, watched, ns -> client.resources(GatewayClass.class), 0);
    this.gatewayClasses.addEventHandler(rebuildOnEvent("GatewayClass"));
    this.secrets =
        group(
            "Secret",
            watched,
            ns ->
                (ns == null ? client.secrets().inAnyNamespace() : client.secrets().inNamespace(ns))
                    .withField("type", ClusterState.TLS_SECRET_TYPE));
    this.namespaceObjects =
        new InformerGroup<>("Namespace", false, watched, ns -> client.namespaces(), 0);
    this.namespaceObjects.addEventHandler(rebuildOnEvent("Namespace"));
    this.grpcRoutes = group("GRPCRoute", watched, in(client.resources(GRPCRoute.class)));
    this.gatewayParameters =
        group("GatewayParameters", watched, in(client.resources(GatewayParameters.class)));
    this.deployments =
        proxyDeployments
            ? Optional.of(
                group(
                    "Deployment",
                    watched,
                    ns ->
                        (ns == null
                                ? client.apps().deployments().inAnyNamespace()
                                : client.apps().deployments().inNamespace(ns))
                            .withLabel(ProxyNames.MANAGED_BY, ProxyNames.PROVISIONER)))
            : Optional.empty();
  }

  /**
   * Whether the API server serves GRPCRoutes; when it cannot be asked, assumed so (the informer
   * then retries like the others until it can list them).
   */
  private boolean servesGrpcRoutes() {
    try {
      return client.supports(GRPCRoute.class);
    } catch (RuntimeException e) {
      LOG.debug("Could not ask the API server whether it serves GRPCRoutes: {}", e.toString());
      return true;
    }
  }

  private static <T extends HasMetadata> Function<String, Informable<T>> in(
      MixedOperation<T, ?, ?> operation) {
    return ns -> ns == null ? operation.inAnyNamespace() : operation.inNamespace(ns);
  }

  private <T extends HasMetadata> InformerGroup<T> group(
      String kind, Set<String> namespaces, Function<String, Informable<T>> source) {
    InformerGroup<T> group = new InformerGroup<>(kind, true, namespaces, source, 0);
    group.addEventHandler(rebuildOnEvent(kind));
    return group;
  }

  /**
   * Counts each informer event of {@code kind} and asks for a rebuild; called on fabric8's informer
   * threads.
   */
  private <T> InformerEventHandler<T> rebuildOnEvent(String kind) {
    Counter adds = events(kind, "add");
    Counter updates = events(kind, "update");
    Counter deletes = events(kind, "delete");
    return InformerEventHandler.of(
        object -> {
          adds.increment();
          queue.add(Rebuild.STATE);
        },
        (oldObject, newObject) -> {
          updates.increment();
          queue.add(Rebuild.STATE);
        },
        object -> {
          deletes.increment();
          queue.add(Rebuild.STATE);
        });
  }

  private Counter events(String kind, String type) {
    return Counter.builder("fairlead.informer.events")
        .description("Events received from Kubernetes informers")
        .tag("kind", kind)
        .tag("type", type)
        .register(registry);
  }

  /**
   * Starts the informers and the rebuild thread without waiting for them to sync; the first state
   * is published once all have synced.
   */
  public void start() {
    queue.start();
    List<InformerGroup<?>> groups =
        new ArrayList<>(
            List.of(
                upstreams,
                gateways,
                httpRoutes,
                services,
                endpointSlices,
                configMaps,
                allocations,
                referenceGrants,
                gatewayClasses,
                secrets,
                namespaceObjects,
                gatewayParameters));
    deployments.ifPresent(groups::add);
    grpcRoutesServed = servesGrpcRoutes();
    if (grpcRoutesServed) {
      groups.add(grpcRoutes);
    } else {
      LOG.warn(
          "The API server does not serve gateway.networking.k8s.io/v1 GRPCRoute (its CRD is not installed): "
              + "GRPCRoutes are not watched nor served; install the Gateway API CRDs (v1.1 or later) and restart");
    }
    all = List.copyOf(groups);
    for (InformerGroup<?> group : all) {
      Gauge.builder("fairlead.informer.watching", group, g -> g.isWatching() ? 1 : 0)
          .description(
              "1 while every informer of the kind has its watch open, 0 while it lists again or reconnects")
          .tag("kind", group.kind())
          .register(registry);
    }
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (InformerGroup<?> group : all) {
      starts.add(group.start());
    }
    var unused =
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
            .whenComplete(
                (ignored, failure) -> {
                  if (failure != null) {
                    if (closed) {
                      // Closed before the first list completed (a replica losing the lease at
                      // once): nothing went wrong.
                      LOG.debug("Stopped before the informers synced: {}", failure.toString());
                    } else {
                      LOG.error(
                          "Informers did not sync; no ClusterState will be published", failure);
                    }
                    return;
                  }
                  synced = true;
                  LOG.info(
                      "Informers synced: Upstream, GatewayClass, Gateway, HTTPRoute, {}Service, EndpointSlice, ConfigMap, "
                          + "Allocation, ReferenceGrant, Secret ("
                          + ClusterState.TLS_SECRET_TYPE
                          + "), Namespace, GatewayParameters{}",
                      grpcRoutesServed ? "GRPCRoute, " : "",
                      deployments.isPresent() ? ", Deployment (managed proxies)" : "");
                  queue.add(Rebuild.STATE);
                });
  }

  /** Whether every informer has completed its initial list. */
  public boolean hasSynced() {
    List<InformerGroup<?>> started = all;
    return synced && !started.isEmpty() && started.stream().allMatch(InformerGroup::hasSynced);
  }

  /**
   * Stops the informers and the rebuild thread; a rebuild in progress finishes first. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    List.of(
            upstreams,
            gateways,
            httpRoutes,
            services,
            endpointSlices,
            configMaps,
            allocations,
            referenceGrants,
            gatewayClasses,
            grpcRoutes)
        .forEach(InformerGroup::close);
    queue.close();
  }

  private void rebuild() {
    if (!synced) {
      return;
    }
    ClusterState state =
        new ClusterState(
            upstreams.list(),
            gateways.list(),
            httpRoutes.list(),
            services.list(),
            endpointSlices.list(),
            configMaps.list(),
            allocations.list(),
            referenceGrants.list(),
            gatewayClasses.list(),
            secrets.list(),
            namespaceObjects.list(),
            grpcRoutesServed ? grpcRoutes.list() : List.of(),
            gatewayParameters.list(),
            deployments.map(InformerGroup::list).orElse(List.of()));
    rebuilds.increment();
    try {
      consumer.accept(state);
    } catch (RuntimeException e) {
      LOG.error(
          "The ClusterState consumer failed on a state of {} upstreams, {} gateways, {} HTTPRoutes, "
              + "{} GRPCRoutes, {} services, {} EndpointSlices, {} ConfigMaps, {} Allocations, {} ReferenceGrants, "
              + "{} GatewayClasses, {} Secrets, {} Namespaces",
          state.upstreams().size(),
          state.gateways().size(),
          state.httpRoutes().size(),
          state.grpcRoutes().size(),
          state.services().size(),
          state.endpointSlices().size(),
          state.configMaps().size(),
          state.allocations().size(),
          state.referenceGrants().size(),
          state.gatewayClasses().size(),
          state.secrets().size(),
          state.namespaces().size(),
          e);
    }
  }
}
