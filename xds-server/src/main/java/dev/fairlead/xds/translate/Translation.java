package dev.fairlead.xds.translate;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything one translation of a {@code ClusterState} produced: the Envoy resources of each fleet, and a verdict
 * on every object read.
 *
 * <p>Every Gateway is a fleet, keyed {@code <namespace>/<name>}; Envoys join it by setting {@code node.cluster}
 * to that string. A Gateway with no acceptable listener still has a fleet, with no resources, so that "the
 * Gateway exists but is broken" and "there is no such Gateway" stay distinguishable.
 *
 * <p>Immutable: the map iterates in fleet-name order, the verdicts are sorted by kind, namespace, name (then UID
 * and parent). Equal inputs give equal translations.
 */
public record Translation(Map<String, FleetConfig> fleets, List<Verdict> verdicts) {

  public Translation {
    fleets = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(fleets, "fleets")));
    verdicts = Objects.requireNonNull(verdicts, "verdicts").stream().sorted(Verdict.ORDER).toList();
  }
}
