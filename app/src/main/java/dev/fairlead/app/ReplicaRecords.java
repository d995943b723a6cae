package dev.fairlead.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.runtime.InformerEventHandler;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every replica's record of its proxies ({@link ReplicaProxies}), one ConfigMap per replica in
 * Fairlead's own namespace, named {@code fairlead-proxies-<identity>} and labelled {@value #LABEL}:
 * each replica writes only its own (server-side apply, field manager {@value #FIELD_MANAGER}) when
 * it changes and at least every heartbeat, and watches the others' ({@link PeerRecords} judges
 * which are live; {@link FleetProxies} reads them every second). One small object per replica
 * scales with the replicas, not with the proxies; a replica that dies stops renewing its record,
 * which then stops counting after the TTL and is deleted by the leader ({@link #sweep}) after a few
 * more.
 *
 * <p>Why ConfigMaps: they hold up to 1 MiB (a record with its proxies' rows stays well within that
 * for a thousand proxies; rows that do not fit are left out and counted), every cluster has them,
 * and the chart grants Fairlead their use in its own namespace only.
 *
 * <p>Thread-safe: {@link #publish} runs on one thread (the caller's), the informer's handler on the
 * informer's.
 */
final class ReplicaRecords implements AutoCloseable {

  static final String LABEL = "fairlead.dev/proxy-record";
  static final String FIELD_MANAGER = "fairlead-proxy-record";
  static final String HEARTBEAT = "fairlead.dev/heartbeat";
  static final String DATA_KEY = "proxies.json";

  /** Below the 1 MiB an object may hold, with room for its metadata. */
  static final int MAX_BYTES = 900 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaRecords.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final Duration heartbeat;
  private final Duration ttl;
  private final Clock clock;
  private final PeerRecords peers;
  private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
  private volatile SharedIndexInformer<ConfigMap> informer;
  private final BooleanSupplier leading;
  private final KubernetesClient writer;
  private ReplicaProxies published;
  private long publishedAtNanos;
  private long sweptAtNanos = System.nanoTime();

  /** Whether the last write failed: only the first failure of a run is a warning. */
  private boolean failing;

  /**
   * @param heartbeat how often the record is rewritten when nothing changed
   * @param ttl how long a record not seen to change still counts; a few heartbeats
   * @param leading whether this replica is the leader, which deletes the records of replicas long
   *     gone
   * @param writer the leader's client for those deletions
   */
  ReplicaRecords(
      KubernetesClient client,
      String namespace,
      String identity,
      Duration heartbeat,
      Duration ttl,
      BooleanSupplier leading,
      KubernetesClient writer) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.name = objectName(Objects.requireNonNull(identity, "identity"));
    this.heartbeat = heartbeat;
    this.ttl = ttl;
    this.clock = Clock.systemUTC();
    this.peers = new PeerRecords(identity, ttl, System::nanoTime);
    this.leading = leading;
    this.writer = writer;
  }

  /**
   * {@code fairlead-proxies-} and the identity made a valid object name (lower case, {@code
   * [a-z0-9-]}).
   */
  static String objectName(String identity) {
    String cleaned =
        identity.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
    String named = "fairlead-proxies-" + (cleaned.isEmpty() ? "replica" : cleaned);
    return named.length() <= 253 ? named : named.substring(0, 253).replaceAll("-+$", "");
  }

  void start() {
    informer =
        client
            .configMaps()
            .inNamespace(namespace)
            .withLabel(LABEL, "true")
            .inform(
                InformerEventHandler.of(
                    this::seen,
                    (before, after) -> seen(after),
                    object -> peers.removed(object.getMetadata().getName())));
  }

  private void seen(ConfigMap object) {
    String objectName = object.getMetadata().getName();
    if (objectName.equals(name)) {
      return;
    }
    String data = object.getData() == null ? null : object.getData().get(DATA_KEY);
    try {
      if (data == null) {
        throw new IllegalArgumentException("no key " + DATA_KEY);
      }
      peers.observed(
          objectName,
          object.getMetadata().getResourceVersion(),
          ReplicaProxies.fromJson(JSON.readTree(data)));
      unreadable.remove(objectName);
    } catch (IOException | IllegalArgumentException e) {
      if (unreadable.add(objectName)) {
        LOG.warn(
            "ConfigMap {}/{} is not a replica's record of its proxies ({}); its proxies are not counted",
            namespace,
            objectName,
            e.getMessage());
      }
    }
  }

  /** The live records of the other replicas. */
  List<ReplicaProxies> peers() {
    return peers.live();
  }

  /**
   * Writes this replica's record if it changed or the heartbeat is due; a failed write is logged
   * and retried on the next call. On the leader, once a TTL, it also deletes the records of
   * replicas long gone.
   */
  void publish(ReplicaProxies record) {
    long now = System.nanoTime();
    if (now - sweptAtNanos >= ttl.toNanos()) {
      sweptAtNanos = now;
      if (leading.getAsBoolean()) {
        sweep();
      }
    }
    if (record.equals(published) && now - publishedAtNanos < heartbeat.toNanos()) {
      return;
    }
    try {
      String data = JSON.writeValueAsString(record.toJson());
      if (data.length() > MAX_BYTES) {
        data = JSON.writeValueAsString(record.withoutRows().toJson());
      }
      client
          .configMaps()
          .inNamespace(namespace)
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .withLabels(Map.of(LABEL, "true", "app.kubernetes.io/managed-by", "fairlead"))
                  .withAnnotations(Map.of(HEARTBEAT, clock.instant().toString()))
                  .endMetadata()
                  .withData(Map.of(DATA_KEY, data))
                  .build())
          .fieldManager(FIELD_MANAGER)
          .forceConflicts()
          .serverSideApply();
      published = record;
      publishedAtNanos = now;
      if (failing) {
        failing = false;
        LOG.info(
            "Writing this replica's record of its proxies, ConfigMap {}/{}, succeeds again",
            namespace,
            name);
      }
    } catch (IOException | KubernetesClientException e) {
      if (!failing) {
        failing = true;
        LOG.warn(
            "Writing this replica's record of its proxies, ConfigMap {}/{}, failed: {}; retrying every second "
                + "(the other replicas stop counting its proxies meanwhile)",
            namespace,
            name,
            e.getMessage());
      } else {
        LOG.debug("Writing ConfigMap {}/{} failed again: {}", namespace, name, e.getMessage());
      }
    }
  }

  /**
   * Deletes the records of replicas not seen for {@code ttl} three times over, through the leader's
   * client; a record written again meanwhile is kept, by the resourceVersion precondition.
   */
  private void sweep() {
    for (String gone : peers.olderThan(ttl.multipliedBy(3))) {
      ConfigMap current =
          informer == null ? null : informer.getStore().getByKey(namespace + "/" + gone);
      if (current == null) {
        continue;
      }
      try {
        writer.configMaps().inNamespace(namespace).resource(current).lockResourceVersion().delete();
        LOG.info(
            "Deleted ConfigMap {}/{}: the record of a replica not seen for {} s",
            namespace,
            gone,
            ttl.multipliedBy(3).toSeconds());
      } catch (KubernetesClientException e) {
        LOG.debug("Deleting the stale record {}/{} failed: {}", namespace, gone, e.getMessage());
      }
    }
  }

  /**
   * Stops watching and deletes this replica's own record, so the others stop counting its proxies
   * at once.
   */
  @Override
  public void close() {
    SharedIndexInformer<ConfigMap> running = informer;
    if (running != null) {
      running.close();
    }
    if (published != null) {
      try {
        client.configMaps().inNamespace(namespace).withName(name).delete();
      } catch (KubernetesClientException e) {
        LOG.debug(
            "Deleting this replica's record {}/{} failed: {}; it expires",
            namespace,
            name,
            e.getMessage());
      }
    }
  }
}
