package dev.fairlead.xds.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What translating one object looked up in the rest of the state, and what each lookup found: the
 * answers that must still be the same for an earlier translation of that object to hold for a later
 * state ({@link IncrementalTranslator}).
 *
 * <p>Every lookup a per-object translation makes outside the object itself goes through {@link
 * #read}, and the {@link Lookup} that checks a record answers each {@link Source} with the very
 * accessor the translation used, so what was recorded and what is checked cannot drift apart.
 * Answers compare by identity first (objects from informers, and outputs reused from an earlier
 * translation, are the same instances while unchanged), then by {@code equals}.
 *
 * <p>Mutable while its object is translated, then only read; used by one thread.
 */
final class Reads {

  /** Where a lookup went, and what its key and answer are. */
  enum Source {
    /** {@code namespace/name} → the ConfigMap, or null. */
    CONFIG_MAP,
    /** {@code namespace/name} → the Service, or null. */
    SERVICE,
    /** {@code namespace/service} → the EndpointSlices labelled for that Service, in state order. */
    ENDPOINT_SLICES,
    /** {@code namespace/upstream} → {@code address:port} → the Allocation holding it. */
    ALLOCATIONS,
    /** {@code namespace/name} → what the Upstream became, or null. */
    UPSTREAM,
    /** {@code namespace/name} → the Gateway's listeners, or null. */
    GATEWAY,
    /** a {@link BackendResolver.ServiceKey} → the Service port's backend, or why it has none. */
    SERVICE_BACKEND,
    /**
     * a {@link ReferenceGrants.Reference} across namespaces → whether a ReferenceGrant permits it.
     */
    REFERENCE_GRANT,
    /** {@code namespace/name} → the Secret of type {@code kubernetes.io/tls}, or null. */
    SECRET,
    /** a namespace's name → its labels, or null when the state has no such Namespace. */
    NAMESPACE
  }

  /** Answers lookups against one state. */
  @FunctionalInterface
  interface Lookup {

    Object find(Source source, Object key);
  }

  private record Read(Source source, Object key, Object found) {}

  private final List<Read> reads = new ArrayList<>();

  /**
   * Records that looking up {@code key} in {@code source} found {@code found} (null for nothing);
   * returns it.
   */
  <T> T read(Source source, Object key, T found) {
    reads.add(new Read(source, key, found));
    return found;
  }

  /** Whether every lookup recorded finds the same in {@code state}. */
  boolean unchangedIn(Lookup state) {
    for (Read read : reads) {
      Object now = state.find(read.source(), read.key());
      if (now != read.found() && !Objects.equals(now, read.found())) {
        return false;
      }
    }
    return true;
  }
}
