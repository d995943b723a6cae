package dev.fairlead.xds.translate;

import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.api.v1alpha1.CaBundleRef;
import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.StaticHost;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Translates each Upstream into its cluster {@code upstream/<namespace>/<name>} and that cluster's endpoints, and
 * gives it a verdict.
 *
 * <ul>
 *   <li>An invalid spec (see {@link UpstreamValidator}) is not accepted (reason {@code Invalid}, every problem in
 *       the message) and gets no cluster.</li>
 *   <li>A kube Upstream whose Service (or Service port) is missing still gets its cluster, with no endpoints, so
 *       routes start working as soon as the Service appears; resolvedRefs is false ({@code BackendNotFound}).</li>
 *   <li>A CA bundle that cannot be read (ConfigMap or key missing, not PEM certificates) means no cluster: Envoy
 *       would reject the whole cluster update for it, and sending traffic unverified is not an option either.
 *       resolvedRefs is false ({@code InvalidCACertificateRef}).</li>
 * </ul>
 *
 * <p>Built once per translation; not thread-safe (callers use it from one thread).
 */
final class UpstreamTranslator {

  static final String KIND = "Upstream";
  static final String DEFAULT_CA_KEY = "ca.crt";

  private final UpstreamValidator validator;
  private final ClusterTranslator clusters;
  private final EndpointTranslator endpoints;
  private final Map<String, ConfigMap> configMaps = new HashMap<>();

  UpstreamTranslator(UpstreamValidator validator, ClusterTranslator clusters, EndpointTranslator endpoints,
      List<ConfigMap> configMaps) {
    this.validator = validator;
    this.clusters = clusters;
    this.endpoints = endpoints;
    for (ConfigMap configMap : configMaps) {
      if (configMap.getMetadata() != null && configMap.getMetadata().getName() != null) {
        this.configMaps.putIfAbsent(ObjectRef.namespaceOf(configMap) + "/" + configMap.getMetadata().getName(),
            configMap);
      }
    }
  }

  /**
   * What an Upstream became.
   *
   * @param backend its cluster and endpoints; empty when it has none, and then the verdict says why
   */
  record Result(Verdict verdict, Optional<Backend> backend) {
  }

  static String clusterName(String namespace, String name) {
    return "upstream/" + namespace + "/" + name;
  }

  Result translate(Upstream upstream) {
    ObjectRef ref = ObjectRef.of(KIND, upstream);
    String clusterName = clusterName(ref.namespace(), ref.name());
    UpstreamSpec spec = upstream.getSpec();
    List<String> problems = validator.problems(spec);
    References references = new References();
    Optional<String> trustedCa = spec == null || spec.tls() == null || spec.tls().caBundleRef() == null
        ? Optional.empty()
        : trustedCa(ref.namespace(), spec.tls().caBundleRef(), references);
    Optional<ClusterLoadAssignment> kubeEndpoints = spec == null || spec.kube() == null
        ? Optional.empty()
        : kubeEndpoints(clusterName, ref.namespace(), spec.kube(), references);

    if (!problems.isEmpty()) {
      return new Result(new Verdict(ref, Optional.empty(),
          new Condition.False("Invalid", String.join("; ", problems)), references.condition()), Optional.empty());
    }
    boolean caMissing = spec.tls() != null && spec.tls().caBundleRef() != null && trustedCa.isEmpty();
    Optional<Backend> backend = caMissing ? Optional.empty() : Optional.of(backend(clusterName, spec, trustedCa,
        kubeEndpoints));
    Condition accepted = new Condition.True("Accepted", backend.isPresent()
        ? "translated to cluster " + clusterName
        : "valid; no cluster until its references resolve");
    return new Result(new Verdict(ref, Optional.empty(), accepted, references.condition()), backend);
  }

  private Backend backend(String clusterName, UpstreamSpec spec, Optional<String> trustedCa,
      Optional<ClusterLoadAssignment> kubeEndpoints) {
    if (spec.kube() != null) {
      return new Backend(clusters.translate(clusterName, spec, trustedCa, Optional.empty()), kubeEndpoints);
    }
    List<StaticHost> hosts = spec.staticHosts().hosts();
    ClusterLoadAssignment assignment = endpoints.staticHosts(clusterName, hosts);
    boolean allIps = hosts.stream().allMatch(host -> UpstreamValidator.isIpAddress(host.address()));
    return allIps
        ? new Backend(clusters.translate(clusterName, spec, trustedCa, Optional.empty()), Optional.of(assignment))
        : new Backend(clusters.translate(clusterName, spec, trustedCa, Optional.of(assignment)), Optional.empty());
  }

  private Optional<ClusterLoadAssignment> kubeEndpoints(String clusterName, String namespace, KubeService kube,
      References references) {
    if (kube.serviceName() == null || kube.serviceName().isBlank() || kube.port() == null) {
      return Optional.empty();
    }
    String serviceNamespace = kube.namespace() == null || kube.namespace().isEmpty() ? namespace : kube.namespace();
    EndpointTranslator.ServiceEndpoints found =
        endpoints.service(clusterName, serviceNamespace, kube.serviceName(), kube.port());
    if (found instanceof EndpointTranslator.ServiceEndpoints.Found port) {
      return Optional.of(port.assignment());
    }
    references.add("BackendNotFound", "spec.kube: " + ((EndpointTranslator.ServiceEndpoints.Missing) found).problem()
        + "; the cluster has no endpoints until it appears");
    return Optional.of(EndpointTranslator.empty(clusterName));
  }

  private Optional<String> trustedCa(String namespace, CaBundleRef ref, References references) {
    if (ref.configMapName() == null) {
      return Optional.empty();
    }
    String key = ref.key() == null ? DEFAULT_CA_KEY : ref.key();
    String configMapName = namespace + "/" + ref.configMapName();
    ConfigMap configMap = configMaps.get(configMapName);
    if (configMap == null) {
      references.add("InvalidCACertificateRef",
          "spec.tls.caBundleRef: ConfigMap " + configMapName + " not found; no cluster until it exists");
      return Optional.empty();
    }
    String pem = configMap.getData() == null ? null : configMap.getData().get(key);
    if (pem == null) {
      references.add("InvalidCACertificateRef",
          "spec.tls.caBundleRef.key: ConfigMap " + configMapName + " has no key " + key + "; no cluster until it has");
      return Optional.empty();
    }
    Optional<String> pemProblem = pemProblem(pem);
    if (pemProblem.isPresent()) {
      references.add("InvalidCACertificateRef", "spec.tls.caBundleRef: key " + key + " of ConfigMap "
          + configMapName + " is not a PEM certificate bundle (" + pemProblem.get() + "); no cluster until it is");
      return Optional.empty();
    }
    return Optional.of(pem);
  }

  /** Why Envoy would refuse {@code pem} as trusted CAs, if it would. */
  private static Optional<String> pemProblem(String pem) {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      return Optional.of("no BEGIN CERTIFICATE block");
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      if (factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).isEmpty()) {
        return Optional.of("no certificate");
      }
      return Optional.empty();
    } catch (CertificateException e) {
      return Optional.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
  }

  /** The problems found resolving an Upstream's references, in the order found. */
  private static final class References {

    private final List<String> reasons = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();

    void add(String reason, String message) {
      reasons.add(reason);
      messages.add(message);
    }

    Condition condition() {
      return reasons.isEmpty()
          ? new Condition.True("ResolvedRefs", "all references resolved")
          : new Condition.False(reasons.get(0), String.join("; ", messages));
    }
  }
}
