package dev.fairlead.provisioner;

import dev.fairlead.api.params.ParametersRefs;
import dev.fairlead.api.params.ProxyNames;
import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.runtime.CoalescingWorkQueue;
import dev.fairlead.runtime.InformerEventHandler;
import dev.fairlead.runtime.InformerGroup;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the managed fleets: for each Gateway, applies what {@link ProxyDecision} decides. Runs on
 * the leader only (started and closed with leadership, like every writer).
 *
 * <p>Level-triggered: every event about a Gateway, a GatewayClass, GatewayParameters or an object
 * the provisioner made queues the Gateways concerned on a {@link CoalescingWorkQueue}, and the work
 * decides from the informer caches as they are then. Objects are written with server-side apply
 * under the field manager {@value #FIELD_MANAGER}, forcing conflicts: the provisioner owns every
 * field it sets, so a hand edit of one (say {@code replicas} scaled with kubectl) is put back when
 * the edited object's update event arrives, while fields it does not set (a Service's allocated
 * {@code clusterIP} and {@code nodePort}s, a Deployment's status) are left to whoever sets them.
 * The owned objects are watched by the label {@link ProxyNames#MANAGED_BY}{@code =}{@link
 * ProxyNames#PROVISIONER}.
 *
 * <p>With Fairlead's xDS CA ({@link ProvisionerOptions#ca()}), each fleet also gets a Secret with
 * its xDS client certificate ({@link ClientCertificateSecret}), issued when the fleet has none, or
 * none still good for it (another CA, another identity, a hand edit, or less than a third of its
 * validity left when the Gateway is reconciled); a good one is applied again as it is, so a fleet's
 * certificate changes only when it must, and the pods roll with it.
 *
 * <p>A fleet's objects are deleted when its Gateway is deleted, switches to mode Unmanaged, or
 * moves to another controller's class. Owner references would let a cluster's garbage collector do
 * the first; deleting explicitly covers the others and does not depend on a garbage collector
 * running.
 *
 * <p>A failed write is logged at WARN with the Gateway and retried after {@value #RETRY_SECONDS} s.
 *
 * <p>Thread-safety: {@link #start()} and {@link #close()} once each, from any thread; the work runs
 * on the queue's workers, never two on one Gateway at once.
 */
public final class ProxyReconciler implements AutoCloseable {

  /** The field manager of every write. */
  public static final String FIELD_MANAGER = "fairlead-provisioner";

  private static final Logger LOG = LoggerFactory.getLogger(ProxyReconciler.class);
  private static final long RETRY_SECONDS = 5;

  /** A Gateway, by namespace and name. */
  record GatewayKey(String namespace, String name) {
    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  private final KubernetesClient client;
  private final ProvisionerOptions options;
  private final CoalescingWorkQueue<GatewayKey> queue;
  private final InformerGroup<Gateway> gateways;
  private final InformerGroup<GatewayClass> classes;
  private final InformerGroup<GatewayParameters> parameters;
  private final InformerGroup<ServiceAccount> serviceAccounts;
  private final InformerGroup<ConfigMap> configMaps;
  private final InformerGroup<Deployment> deployments;
  private final InformerGroup<Service> services;
  private final InformerGroup<Secret> clientCertificates;
  private final List<InformerGroup<?>> all;

  /**
   * @param client the client the informers and writes use; the caller keeps ownership
   * @param namespaces the namespaces whose Gateways get fleets; empty for all
   */
  public ProxyReconciler(
      KubernetesClient client,
      Set<String> namespaces,
      ProvisionerOptions options,
      CoalescingDelay delay) {
    this.client = Objects.requireNonNull(client, "client");
    this.options = Objects.requireNonNull(options, "options");
    Set<String> watched = Set.copyOf(namespaces);
    this.queue = new CoalescingWorkQueue<>("fairlead-provisioner", delay, 2, this::reconcile);
    this.gateways =
        new InformerGroup<>("Gateway", true, watched, in(client.resources(Gateway.class)), 0);
    this.classes =
        new InformerGroup<>(
            "GatewayClass", false, watched, ns -> client.resources(GatewayClass.class), 0);
    this.parameters =
        new InformerGroup<>(
            "GatewayParameters", true, watched, in(client.resources(GatewayParameters.class)), 0);
    this.serviceAccounts = owned("ServiceAccount", watched, client.serviceAccounts());
    this.configMaps = owned("ConfigMap", watched, client.configMaps());
    this.deployments = owned("Deployment", watched, client.apps().deployments());
    this.services = owned("Service", watched, client.services());
    this.clientCertificates = owned("Secret", watched, client.secrets());
    gateways.addEventHandler(
        InformerEventHandler.forEachObject(gateway -> queue.add(keyOf(gateway))));
    classes.addEventHandler(
        InformerEventHandler.forEachObject(
            gatewayClass ->
                gateways.list().stream()
                    .filter(
                        gateway -> gatewayClass.getMetadata().getName().equals(className(gateway)))
                    .forEach(gateway -> queue.add(keyOf(gateway)))));
    // A class may refer to parameters in any namespace: every Gateway is looked at again.
    parameters.addEventHandler(
        InformerEventHandler.forEachObject(
            changed -> gateways.list().forEach(gateway -> queue.add(keyOf(gateway)))));
    this.all =
        List.of(
            gateways,
            classes,
            parameters,
            serviceAccounts,
            configMaps,
            deployments,
            services,
            clientCertificates);
  }

  private static <T extends HasMetadata> Function<String, Informable<T>> in(
      MixedOperation<T, ?, ?> operation) {
    return ns -> ns == null ? operation.inAnyNamespace() : operation.inNamespace(ns);
  }

  private <T extends HasMetadata> InformerGroup<T> owned(
      String kind, Set<String> namespaces, MixedOperation<T, ?, ?> operation) {
    InformerGroup<T> group =
        new InformerGroup<>(
            kind,
            true,
            namespaces,
            ns ->
                (ns == null ? operation.inAnyNamespace() : operation.inNamespace(ns))
                    .withLabel(ProxyNames.MANAGED_BY, ProxyNames.PROVISIONER),
            0);
    group.addEventHandler(
        InformerEventHandler.forEachObject(
            object -> {
              String gateway =
                  object.getMetadata().getAnnotations() == null
                      ? null
                      : object.getMetadata().getAnnotations().get(ProxyNames.GATEWAY_ANNOTATION);
              if (gateway != null) {
                queue.add(new GatewayKey(object.getMetadata().getNamespace(), gateway));
              }
            }));
    return group;
  }

  /** Starts the informers and the workers; work begins once every informer has synced. */
  public void start() {
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (InformerGroup<?> group : all) {
      starts.add(group.start());
    }
    // The failure is handled inside: the future itself is not needed.
    var unused =
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
            .whenComplete(
                (ignored, failure) -> {
                  if (failure != null) {
                    LOG.debug(
                        "The provisioner's informers stopped before they synced: {}",
                        failure.toString());
                    return;
                  }
                  LOG.info(
                      "Provisioner synced: managing the Envoys of Fairlead's Gateways (image {}, xDS at {}:{})",
                      options.defaultImage(),
                      options.xdsHost(),
                      options.xdsPort());
                  queue.start();
                });
  }

  /** Gateways waiting to be reconciled or being reconciled; zero when the provisioner is idle. */
  int pending() {
    return queue.size();
  }

  /** Whether every informer has completed its initial list. */
  public boolean hasSynced() {
    return all.stream().allMatch(InformerGroup::hasSynced);
  }

  @Override
  public void close() {
    all.forEach(InformerGroup::close);
    queue.close();
  }

  private void reconcile(GatewayKey key) {
    Optional<Gateway> gateway = Optional.ofNullable(gateways.get(key.namespace(), key.name()));
    Optional<GatewayClass> gatewayClass =
        gateway.map(ProxyReconciler::className).map(name -> classes.get(null, name));
    ProxyDecision decision =
        ProxyDecision.decide(gateway, gatewayClass, new ParametersRefs(parameters.list()), options);
    try {
      if (decision instanceof ProxyDecision.Apply apply) {
        apply(key, apply.proxy());
      } else if (decision instanceof ProxyDecision.Remove remove) {
        remove(key, remove.reason());
      } else if (decision instanceof ProxyDecision.Keep keep) {
        LOG.debug("Gateway {}: its fleet is left as it is: {}", key, keep.reason());
      }
    } catch (KubernetesClientException e) {
      LOG.warn(
          "Gateway {}: writing its managed fleet failed, retrying in {} s: {} {}",
          key,
          RETRY_SECONDS,
          e.getCode(),
          e.getMessage());
      queue.addAfter(key, Duration.ofSeconds(RETRY_SECONDS));
    }
  }

  private void apply(GatewayKey key, ManagedProxy fleet) {
    ManagedProxy proxy =
        options.ca().map(ca -> withClientCertificate(key, fleet, ca)).orElse(fleet);
    for (HasMetadata object : proxy.objects()) {
      client.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
    if (proxy.service().isEmpty()) {
      delete(services, key);
    }
    if (proxy.clientCertificate().isEmpty()) {
      delete(clientCertificates, key);
    }
    LOG.debug("Gateway {}: managed fleet applied", key);
  }

  /**
   * {@code proxy} with its client certificate: the one its Secret holds when {@link
   * ClientCertificateSecret#reusable}, else a new one of {@code ca}.
   */
  private ManagedProxy withClientCertificate(
      GatewayKey key, ManagedProxy proxy, ProxyCertificateAuthority ca) {
    Secret existing = clientCertificates.get(key.namespace(), ProxyNames.of(key.name()));
    Instant now = Instant.now();
    if (existing != null && ClientCertificateSecret.reusable(existing, proxy.identity(), ca, now)) {
      return proxy.withClientCertificate(ClientCertificateSecret.kept(proxy.metadata(), existing));
    }
    ProxyCertificateAuthority.Issued issued = ca.issueClient(proxy.identity(), now);
    LOG.info(
        "Gateway {}: issued its fleet the xDS client {} for {}", key, issued, proxy.identity());
    return proxy.withClientCertificate(ClientCertificateSecret.of(proxy.metadata(), issued, ca));
  }

  private void remove(GatewayKey key, String reason) {
    boolean removed =
        delete(services, key)
            | delete(deployments, key)
            | delete(configMaps, key)
            | delete(clientCertificates, key)
            | delete(serviceAccounts, key);
    if (removed) {
      LOG.info("Gateway {}: managed fleet deleted, {}", key, reason);
    }
  }

  /**
   * Deletes the fleet object of {@code key} that {@code owned} holds, if it holds one; whether
   * there was one.
   */
  private boolean delete(InformerGroup<? extends HasMetadata> owned, GatewayKey key) {
    HasMetadata existing = owned.get(key.namespace(), ProxyNames.of(key.name()));
    if (existing == null) {
      return false;
    }
    client.resource(existing).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    return true;
  }

  private static GatewayKey keyOf(Gateway gateway) {
    return new GatewayKey(gateway.getMetadata().getNamespace(), gateway.getMetadata().getName());
  }

  private static String className(Gateway gateway) {
    return gateway.getSpec() == null ? null : gateway.getSpec().getGatewayClassName();
  }
}
