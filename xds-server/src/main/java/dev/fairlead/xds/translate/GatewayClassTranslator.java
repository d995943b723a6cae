package dev.fairlead.xds.translate;

import dev.fairlead.api.state.GatewayController;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParametersReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which GatewayClasses are Fairlead's and accepted, and gives each of Fairlead's a verdict. Classes naming
 * another controller get no verdict and are not read any further: they, and their Gateways, are not Fairlead's.
 *
 * <p>Fairlead has no parameters kind, so a class with a {@code spec.parametersRef} is not accepted
 * ({@code InvalidParameters}, naming the field): the Gateway API says a class whose parameters refer to an
 * unsupported kind should be rejected that way, rather than run with its parameters silently ignored. Gateways of a
 * class that is not accepted are not translated.
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
  record Classes(Set<String> accepted, List<Verdict> verdicts) {
  }

  Classes translate(List<GatewayClass> classes) {
    Set<String> accepted = new HashSet<>();
    List<Verdict> verdicts = new ArrayList<>();
    for (GatewayClass gatewayClass : classes) {
      if (!GatewayController.owns(gatewayClass) || gatewayClass.getMetadata() == null
          || gatewayClass.getMetadata().getName() == null || gatewayClass.getMetadata().getName().isEmpty()) {
        continue;
      }
      ObjectRef ref = ObjectRef.clusterScoped(KIND, gatewayClass);
      Optional<String> problem = parametersProblem(gatewayClass.getSpec().getParametersRef());
      if (problem.isPresent()) {
        Condition invalid = new Condition.False("InvalidParameters", problem.get());
        verdicts.add(new Verdict(ref, Optional.empty(), invalid, invalid));
      } else if (accepted.add(ref.name())) {
        verdicts.add(new Verdict(ref, Optional.empty(),
            new Condition.True("Accepted", "Gateways of this class are served by " + GatewayController.NAME),
            new Condition.True("ResolvedRefs", "no parametersRef")));
      }
    }
    return new Classes(Set.copyOf(accepted), verdicts);
  }

  private static Optional<String> parametersProblem(ParametersReference ref) {
    if (ref == null) {
      return Optional.empty();
    }
    String kind = (ref.getGroup() == null || ref.getGroup().isEmpty() ? "" : ref.getGroup() + "/") + ref.getKind();
    return Optional.of("spec.parametersRef: " + kind + " " + (ref.getNamespace() == null ? ""
        : ref.getNamespace() + "/") + ref.getName() + " is not a parameters kind Fairlead supports; it supports no "
        + "parametersRef, remove it");
  }
}
