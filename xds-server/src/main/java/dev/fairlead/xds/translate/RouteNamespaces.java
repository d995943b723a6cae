package dev.fairlead.xds.translate;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which namespaces a listener admits routes from: {@code allowedRoutes.namespaces.from} as the
 * Gateway API defines it — the Gateway's own ({@code Same}, the default), every one ({@code All}),
 * or those whose labels a label selector matches ({@code Selector}, with {@code matchLabels} and
 * {@code matchExpressions} as Kubernetes evaluates them: {@code In}, {@code NotIn}, {@code Exists},
 * {@code DoesNotExist}; every term must hold, and an empty selector matches every namespace).
 *
 * <p>Immutable values; {@link #of} checks a listener's field and says what is wrong with it.
 */
sealed interface RouteNamespaces {

  /**
   * Whether a route in {@code routeNamespace} may attach, for a Gateway in {@code
   * gatewayNamespace}; {@code labels} gives the route namespace's labels (null when the namespace
   * is unknown), asked only by a selector.
   */
  boolean admits(
      String routeNamespace, String gatewayNamespace, Supplier<Map<String, String>> labels);

  /** Routes in the Gateway's namespace only. */
  record Same() implements RouteNamespaces {

    @Override
    public boolean admits(
        String routeNamespace, String gatewayNamespace, Supplier<Map<String, String>> labels) {
      return routeNamespace.equals(gatewayNamespace);
    }
  }

  /** Routes in every namespace. */
  record All() implements RouteNamespaces {

    @Override
    public boolean admits(
        String routeNamespace, String gatewayNamespace, Supplier<Map<String, String>> labels) {
      return true;
    }
  }

  /**
   * Routes in the namespaces whose labels match: every {@code matchLabels} entry and every
   * expression.
   */
  record Selector(Map<String, String> matchLabels, List<LabelSelectorRequirement> matchExpressions)
      implements RouteNamespaces {

    public Selector {
      matchLabels = Map.copyOf(matchLabels);
      matchExpressions = List.copyOf(matchExpressions);
    }

    @Override
    public boolean admits(
        String routeNamespace, String gatewayNamespace, Supplier<Map<String, String>> labels) {
      Map<String, String> namespaceLabels = labels.get();
      if (namespaceLabels == null) {
        return false;
      }
      return matchLabels.entrySet().stream()
              .allMatch(entry -> entry.getValue().equals(namespaceLabels.get(entry.getKey())))
          && matchExpressions.stream().allMatch(expression -> matches(expression, namespaceLabels));
    }

    private static boolean matches(
        LabelSelectorRequirement expression, Map<String, String> labels) {
      String value = labels.get(expression.getKey());
      List<String> values = Objects.requireNonNullElse(expression.getValues(), List.of());
      return switch (expression.getOperator()) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        default -> throw new IllegalStateException("operator checked by RouteNamespaces.of");
      };
    }
  }

  /**
   * The listener's choice, from its {@code allowedRoutes.namespaces} at {@code field}; or what is
   * wrong with it.
   */
  static Result of(
      String field, io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteNamespaces namespaces) {
    String from =
        namespaces == null || namespaces.getFrom() == null ? "Same" : namespaces.getFrom();
    switch (from) {
      case "Same" -> {
        return new Result(Optional.of(new Same()), Optional.empty());
      }
      case "All" -> {
        return new Result(Optional.of(new All()), Optional.empty());
      }
      case "Selector" -> {
        // checked below
      }
      default -> {
        return problem(
            field + ".from: unsupported value " + from + ", expected Same, All or Selector");
      }
    }
    LabelSelector selector = namespaces.getSelector();
    if (selector == null) {
      return problem(field + ".selector: required with from: Selector");
    }
    Map<String, String> matchLabels =
        Objects.requireNonNullElse(selector.getMatchLabels(), Map.of());
    for (Map.Entry<String, String> label : matchLabels.entrySet()) {
      if (label.getKey() == null || label.getValue() == null) {
        return problem(field + ".selector.matchLabels: " + label.getKey() + " needs a value");
      }
    }
    List<LabelSelectorRequirement> expressions =
        Objects.requireNonNullElse(selector.getMatchExpressions(), List.of());
    for (int i = 0; i < expressions.size(); i++) {
      LabelSelectorRequirement expression = expressions.get(i);
      String at = field + ".selector.matchExpressions[" + i + "]";
      if (expression.getKey() == null || expression.getKey().isEmpty()) {
        return problem(at + ".key: required");
      }
      String operator = Objects.requireNonNullElse(expression.getOperator(), "");
      boolean hasValues = expression.getValues() != null && !expression.getValues().isEmpty();
      switch (operator) {
        case "In", "NotIn" -> {
          if (!hasValues) {
            return problem(at + ".values: required with operator " + operator);
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (hasValues) {
            return problem(at + ".values: must be empty with operator " + operator);
          }
        }
        default -> {
          return problem(
              at
                  + ".operator: unsupported value "
                  + (operator.isEmpty() ? "(none)" : operator)
                  + ", expected In, NotIn, Exists or DoesNotExist");
        }
      }
    }
    return new Result(Optional.of(new Selector(matchLabels, expressions)), Optional.empty());
  }

  private static Result problem(String problem) {
    return new Result(Optional.empty(), Optional.of(problem));
  }

  /** A listener's namespaces, or the problem that left it without. */
  record Result(Optional<RouteNamespaces> namespaces, Optional<String> problem) {}
}
