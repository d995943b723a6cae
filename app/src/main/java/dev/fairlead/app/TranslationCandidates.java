package dev.fairlead.app;

import dev.fairlead.allocator.Candidate;
import dev.fairlead.allocator.CandidateSource;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.xds.translate.FleetConfig;
import dev.fairlead.xds.translate.Translation;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The allocator's endpoints: for an accepted Upstream, the ready endpoints of its cluster as the translation
 * being served has them (address, port, and zone when known). An Upstream becomes allocatable once a route
 * uses it, because only then does a fleet carry its endpoints — which is also what allocated traffic goes through.
 *
 * <p>Thread-safe: the translation is swapped atomically and read without locks.
 */
final class TranslationCandidates implements CandidateSource {

  private volatile Translation translation;

  void translated(Translation latest) {
    translation = latest;
  }

  @Override
  public Optional<List<Candidate>> candidates(String namespace, String upstream) {
    Translation current = translation;
    if (current == null || !accepted(current, namespace, upstream)) {
      return Optional.empty();
    }
    String cluster = "upstream/" + namespace + "/" + upstream;
    Map<String, Candidate> byEndpoint = new LinkedHashMap<>();
    for (FleetConfig fleet : current.fleets().values()) {
      for (ClusterLoadAssignment assignment : fleet.endpoints()) {
        if (!assignment.getClusterName().equals(cluster)) {
          continue;
        }
        for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
          String zone = locality.getLocality().getZone();
          for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
            if (endpoint.getHealthStatus() != HealthStatus.HEALTHY
                && endpoint.getHealthStatus() != HealthStatus.UNKNOWN) {
              continue;
            }
            var address = endpoint.getEndpoint().getAddress().getSocketAddress();
            byEndpoint.putIfAbsent(address.getAddress() + ":" + address.getPortValue(),
                new Candidate(address.getAddress(), address.getPortValue(),
                    zone.isEmpty() ? Optional.empty() : Optional.of(zone), Optional.empty(), Optional.empty(),
                    Map.of()));
          }
        }
      }
    }
    return Optional.of(new ArrayList<>(byEndpoint.values()));
  }

  private static boolean accepted(Translation translation, String namespace, String upstream) {
    for (Verdict verdict : translation.verdicts()) {
      if (verdict.object().kind().equals("Upstream") && verdict.object().namespace().equals(namespace)
          && verdict.object().name().equals(upstream)) {
        return verdict.accepted() instanceof Condition.True;
      }
    }
    return false;
  }
}
