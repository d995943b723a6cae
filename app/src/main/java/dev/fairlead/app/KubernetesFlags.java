package dev.fairlead.app;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The flags of Kubernetes mode's cluster: how to reach it and what of it to watch and discover (the
 * scope of {@link KubernetesOptions}). A picocli mixin of {@code fairlead run}.
 */
final class KubernetesFlags {

  @Option(
      names = "--kubeconfig",
      defaultValue = "${env:FAIRLEAD_KUBECONFIG}",
      description =
          "Kubernetes mode: kubeconfig file; without it, $KUBECONFIG, ~/.kube/config or the in-cluster "
              + "service account. Env: FAIRLEAD_KUBECONFIG.")
  Path kubeconfig;

  @Option(
      names = "--watch-namespaces",
      defaultValue = "${env:FAIRLEAD_WATCH_NAMESPACES:-}",
      split = ",",
      description =
          "Kubernetes mode: namespaces to watch, comma-separated; all when empty. "
              + "Env: FAIRLEAD_WATCH_NAMESPACES.")
  List<String> watchNamespaces;

  @Option(
      names = "--watch-namespace-selector",
      defaultValue = "${env:FAIRLEAD_WATCH_NAMESPACE_SELECTOR:-}",
      description =
          "Kubernetes mode: discover Services only in namespaces with these labels (k=v,k2=v2); "
              + "excludes --watch-namespaces. Env: FAIRLEAD_WATCH_NAMESPACE_SELECTOR.")
  String namespaceSelector;

  @Option(
      names = "--watch-labels",
      defaultValue = "${env:FAIRLEAD_WATCH_LABELS:-}",
      description =
          "Kubernetes mode: discover only Services with these labels (k=v,k2=v2); the annotation "
              + "fairlead.dev/discover: \"true\"|\"false\" overrides per Service. Env: FAIRLEAD_WATCH_LABELS.")
  String watchLabels;

  @Option(
      names = "--discovery",
      defaultValue = "${env:FAIRLEAD_DISCOVERY:-true}",
      arity = "1",
      description =
          "Kubernetes mode: turn Service ports into Upstreams. Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_DISCOVERY.")
  boolean discovery;

  /** The namespaces to watch; empty for all. */
  Set<String> watchNamespaces() {
    return watchNamespaces == null
        ? Set.of()
        : Set.copyOf(
            watchNamespaces.stream().map(String::strip).filter(v -> !v.isEmpty()).toList());
  }

  /**
   * @throws IllegalArgumentException naming the flag when a pair is not key=value
   */
  Map<String, String> namespaceSelector() {
    return labels("--watch-namespace-selector", namespaceSelector);
  }

  /**
   * @throws IllegalArgumentException naming the flag when a pair is not key=value
   */
  Map<String, String> watchLabels() {
    return labels("--watch-labels", watchLabels);
  }

  boolean discovery() {
    return discovery;
  }

  /** The client configuration: from {@code --kubeconfig}, or found the usual ways without it. */
  Config clientConfig() {
    if (kubeconfig == null) {
      return Config.autoConfigure(null);
    }
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
    }
  }

  /** {@code k=v,k2=v2} as a map. */
  private static Map<String, String> labels(String flag, String value) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String pair :
        Arrays.stream(value == null ? new String[0] : value.split(","))
            .map(String::strip)
            .filter(p -> !p.isEmpty())
            .toList()) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new IllegalArgumentException(
            flag + " takes labels as key=value,key2=value2; '" + pair + "' is not key=value");
      }
      labels.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return labels;
  }
}
