package dev.fairlead.discovery;

import io.fabric8.kubernetes.api.model.Service;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which Services discovery turns into Upstreams. A pure value; {@link #includes} is a function of
 * its arguments.
 *
 * <p>The rules, in order:
 *
 * <ol>
 *   <li>The namespace must be watched: listed in {@code namespaces}, or (when {@code
 *       namespaceSelector} is set) carrying every label of it. Nothing outside the watched
 *       namespaces is ever discovered.
 *   <li>The annotation {@value #DISCOVER_ANNOTATION}{@code : "false"} opts a Service out, and
 *       {@code "true"} opts it in, whatever its labels; other values are ignored.
 *   <li>Services in {@code kube-system}, and the {@code kubernetes} Service in {@code default}, are
 *       not discovered unless annotated {@code "true"}.
 *   <li>Otherwise the Service must carry every label of {@code serviceSelector} (the "watch
 *       labels"); an empty selector takes every Service.
 * </ol>
 *
 * Selectors match label values exactly (Kubernetes' {@code matchLabels}).
 *
 * @param namespaces namespaces to watch; empty for all (or for those the namespace selector picks)
 * @param namespaceSelector labels a namespace must carry; empty for no namespace selection by label
 * @param serviceSelector labels a Service must carry unless annotated; empty for every Service
 */
public record DiscoveryScope(
    Set<String> namespaces,
    Map<String, String> namespaceSelector,
    Map<String, String> serviceSelector) {

  /**
   * Annotation on a Service: {@code "true"} opts it in, {@code "false"} out, regardless of its
   * labels.
   */
  public static final String DISCOVER_ANNOTATION = "fairlead.dev/discover";

  private static final String KUBE_SYSTEM = "kube-system";

  public DiscoveryScope {
    namespaces = Set.copyOf(namespaces);
    namespaceSelector = Map.copyOf(namespaceSelector);
    serviceSelector = Map.copyOf(serviceSelector);
    if (!namespaces.isEmpty() && !namespaceSelector.isEmpty()) {
      throw new IllegalArgumentException(
          "Choose namespaces by list "
              + namespaces
              + " or by label selector "
              + namespaceSelector
              + ", not both");
    }
  }

  /** Every Service in every namespace (but for the system ones). */
  public static DiscoveryScope everything() {
    return new DiscoveryScope(Set.of(), Map.of(), Map.of());
  }

  /** Services in the given namespaces. */
  public static DiscoveryScope inNamespaces(Set<String> namespaces) {
    return new DiscoveryScope(namespaces, Map.of(), Map.of());
  }

  /** Services in namespaces carrying every label of {@code selector}. */
  public static DiscoveryScope inNamespacesLabelled(Map<String, String> selector) {
    return new DiscoveryScope(Set.of(), selector, Map.of());
  }

  /**
   * This scope, taking only Services that carry every label of {@code selector} (unless annotated).
   */
  public DiscoveryScope withServiceSelector(Map<String, String> selector) {
    return new DiscoveryScope(namespaces, namespaceSelector, selector);
  }

  /** Whether namespace labels decide the scope, so that namespaces must be watched too. */
  public boolean selectsNamespacesByLabel() {
    return !namespaceSelector.isEmpty();
  }

  /**
   * Whether {@code service} is discovered.
   *
   * @param namespaceLabels the labels of the Service's namespace; only read when namespaces are
   *     selected by label, and null when the namespace is unknown (then nothing in it is
   *     discovered)
   */
  public boolean includes(Service service, Map<String, String> namespaceLabels) {
    Objects.requireNonNull(service, "service");
    String namespace = service.getMetadata().getNamespace();
    if (!namespaceWatched(namespace, namespaceLabels)) {
      return false;
    }
    Map<String, String> annotations = service.getMetadata().getAnnotations();
    String optIn = annotations == null ? null : annotations.get(DISCOVER_ANNOTATION);
    if ("false".equals(optIn)) {
      return false;
    }
    if ("true".equals(optIn)) {
      return true;
    }
    if (isSystemService(namespace, service.getMetadata().getName())) {
      return false;
    }
    return matches(serviceSelector, service.getMetadata().getLabels());
  }

  private boolean namespaceWatched(String namespace, Map<String, String> namespaceLabels) {
    if (!namespaces.isEmpty()) {
      return namespaces.contains(namespace);
    }
    if (namespaceSelector.isEmpty()) {
      return true;
    }
    return namespaceLabels != null && matches(namespaceSelector, namespaceLabels);
  }

  private static boolean isSystemService(String namespace, String name) {
    return KUBE_SYSTEM.equals(namespace)
        || ("default".equals(namespace) && "kubernetes".equals(name));
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    if (selector.isEmpty()) {
      return true;
    }
    if (labels == null) {
      return false;
    }
    for (Map.Entry<String, String> required : selector.entrySet()) {
      if (!required.getValue().equals(labels.get(required.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
