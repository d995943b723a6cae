package dev.fairlead.xds.translate;

import dev.fairlead.api.params.ParametersRefs;
import dev.fairlead.api.state.GatewayController;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which GatewayClasses are Fairlead's and accepted, and gives each of Fairlead's a verdict.
 * Classes naming another controller get no verdict and are not read any further: they, and their
 * Gateways, are not Fairlead's.
 *
 * <p>A class's {@code spec.parametersRef} must lead to a {@code GatewayParameters} that exists
 * ({@link ParametersRefs}); a class whose reference does not hold is not accepted ({@code
 * InvalidParameters}, naming the field), as the Gateway API asks, rather than run with its
 * parameters silently ignored. Gateways of a class that is not accepted are not translated.
 *
 * <p>Stateless and thread-safe.
 */
final class GatewayClassTranslator {

  static final String KIND = "GatewayClass";

  /**
   * Fairlead's GatewayClasses.
   *
   * @param accepted the names of the accepted ones, whose Gateways Fairlead translates
   * @param verdicts one per class of Fairlead's
   */
  record Classes(Set<String> accepted, List<Verdict> verdicts) {}

  Classes translate(List<GatewayClass> classes, ParametersRefs parameters) {
    Set<String> accepted = new HashSet<>();
    List<Verdict> verdicts = new ArrayList<>();
    for (GatewayClass gatewayClass : classes) {
      if (!GatewayController.owns(gatewayClass)
          || gatewayClass.getMetadata() == null
          || gatewayClass.getMetadata().getName() == null
          || gatewayClass.getMetadata().getName().isEmpty()) {
        continue;
      }
      ObjectRef ref = ObjectRef.clusterScoped(KIND, gatewayClass);
      ParametersRefs.Lookup lookup = parameters.ofClass(gatewayClass);
      Optional<String> problem = lookup.problem();
      if (problem.isPresent()) {
        Condition invalid = new Condition.False("InvalidParameters", problem.get());
        verdicts.add(new Verdict(ref, Optional.empty(), invalid, invalid));
      } else if (accepted.add(ref.name())) {
        verdicts.add(
            new Verdict(
                ref,
                Optional.empty(),
                new Condition.True(
                    "Accepted", "Gateways of this class are served by " + GatewayController.NAME),
                new Condition.True(
                    "ResolvedRefs",
                    lookup.spec().isPresent()
                        ? "spec.parametersRef resolved"
                        : "no parametersRef")));
      }
    }
    return new Classes(Set.copyOf(accepted), verdicts);
  }
}
