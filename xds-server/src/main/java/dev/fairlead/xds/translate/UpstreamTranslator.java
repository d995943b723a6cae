package dev.fairlead.xds.translate;

import dev.fairlead.api.v1alpha1.CaBundleRef;
import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
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
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Translates each Upstream into its cluster {@code upstream/<namespace>/<name>} and that cluster's
 * endpoints, and gives it a verdict.
 *
 * <ul>
 *   <li>An invalid spec (see {@link UpstreamValidator}) is not accepted (reason {@code Invalid},
 *       every problem in the message) and gets no cluster.
 *   <li>A kube Upstream whose Service (or Service port) is missing still gets its cluster, with no
 *       endpoints, so routes start working as soon as the Service appears; resolvedRefs is false
 *       ({@code BackendNotFound}).
 *   <li>A kube Upstream naming a Service in another namespace needs a ReferenceGrant there
 *       permitting it ({@link ReferenceGrants}: from {@code fairlead.dev/Upstream} in the
 *       Upstream's namespace to core {@code Service}). Without one, nothing of that Service is read
 *       or served: no cluster, resolvedRefs false ({@code RefNotPermitted}, naming {@code
 *       spec.kube.namespace} and the grant that would permit it).
 *   <li>A CA bundle that cannot be read (ConfigMap or key missing, not PEM certificates) means no
 *       cluster: Envoy would reject the whole cluster update for it, and sending traffic unverified
 *       is not an option either. resolvedRefs is false ({@code InvalidCACertificateRef}).
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
  private final AllocationRouting allocations;
  private final ReferenceGrants grants;
  private final Map<String, ConfigMap> configMaps = new HashMap<>();

  UpstreamTranslator(
      UpstreamValidator validator,
      ClusterTranslator clusters,
      EndpointTranslator endpoints,
      AllocationRouting allocations,
      ReferenceGrants grants,
      List<ConfigMap> configMaps) {
    this.validator = validator;
    this.clusters = clusters;
    this.endpoints = endpoints;
    this.allocations = allocations;
    this.grants = grants;
    for (ConfigMap configMap : configMaps) {
      if (configMap.getMetadata() != null && configMap.getMetadata().getName() != null) {
        this.configMaps.putIfAbsent(
            ObjectRef.namespaceOf(configMap) + "/" + configMap.getMetadata().getName(), configMap);
      }
    }
  }

  /**
   * What an Upstream became.
   *
   * @param backend its cluster and endpoints; empty when it has none, and then the verdict says why
   * @param pool for an accepted Upstream in allocation mode, the endpoints the allocator may hand
   *     out (none while it has no cluster)
   */
  record Result(Verdict verdict, Optional<Backend> backend, Optional<List<PoolEndpoint>> pool) {

    Result(Verdict verdict) {
      this(verdict, Optional.empty(), Optional.empty());
    }
  }

  static String clusterName(String namespace, String name) {
    return "upstream/" + namespace + "/" + name;
  }

  /** The Allocations whose endpoints it labels. */
  AllocationRouting allocations() {
    return allocations;
  }

  /** The ConfigMap {@code namespace/name}, or null. */
  ConfigMap configMap(String key) {
    return configMaps.get(key);
  }

  /**
   * Translates {@code upstream}, recording in {@code reads} what else in the state the result
   * depends on.
   */
  Result translate(Upstream upstream, Reads reads) {
    ObjectRef ref = ObjectRef.of(KIND, upstream);
    String clusterName = clusterName(ref.namespace(), ref.name());
    UpstreamSpec spec = upstream.getSpec();
    List<String> problems = validator.problems(spec);
    References references = new References();
    Optional<String> trustedCa =
        spec == null || spec.tls() == null || spec.tls().caBundleRef() == null
            ? Optional.empty()
            : trustedCa(ref.namespace(), spec.tls().caBundleRef(), references, reads);
    boolean kubeRefused =
        spec != null
            && spec.kube() != null
            && !kubePermitted(ref.namespace(), spec.kube(), references, reads);
    Optional<EndpointTranslator.ServiceEndpoints.Found> kubeEndpoints =
        spec == null || spec.kube() == null || kubeRefused
            ? Optional.empty()
            : kubeEndpoints(clusterName, ref.namespace(), spec.kube(), references, reads);

    if (!problems.isEmpty()) {
      return new Result(
          new Verdict(
              ref,
              Optional.empty(),
              new Condition.False("Invalid", String.join("; ", problems)),
              references.condition()));
    }
    boolean caMissing =
        spec.tls() != null && spec.tls().caBundleRef() != null && trustedCa.isEmpty();
    if (caMissing || kubeRefused) {
      return new Result(
          new Verdict(
              ref,
              Optional.empty(),
              new Condition.True("Accepted", "valid; no cluster until its references resolve"),
              references.condition()),
          Optional.empty(),
          spec.allocationMode() ? Optional.of(List.of()) : Optional.empty());
    }
    Condition accepted =
        new Condition.True(
            "Accepted",
            "translated to cluster "
                + clusterName
                + (spec.allocationMode() ? ", in allocation mode" : ""));
    Verdict verdict = new Verdict(ref, Optional.empty(), accepted, references.condition());
    ClusterLoadAssignment assignment =
        kubeEndpoints
            .map(EndpointTranslator.ServiceEndpoints.Found::assignment)
            .orElseGet(
                () ->
                    spec.kube() != null
                        ? EndpointTranslator.empty(clusterName)
                        : endpoints.staticHosts(clusterName, spec.staticHosts().hosts()));
    if (!spec.allocationMode()) {
      return new Result(
          verdict,
          Optional.of(backend(clusterName, spec, trustedCa, assignment, Optional.empty())),
          Optional.empty());
    }
    Map<String, PoolEndpoint> targets =
        kubeEndpoints.map(EndpointTranslator.ServiceEndpoints.Found::targets).orElse(Map.of());
    List<PoolEndpoint> pool = AllocationRouting.pool(assignment, targets);
    Map<String, AllocationRouting.Holder> held =
        allocations.read(ref.namespace(), ref.name(), reads);
    return new Result(
        verdict,
        Optional.of(
            backend(
                clusterName,
                spec,
                trustedCa,
                AllocationRouting.label(held, assignment),
                Optional.of(AllocationRouting.tokens(held)))),
        Optional.of(pool));
  }

  /**
   * @param tokens for an Upstream in allocation mode, the tokens of the allocations of its
   *     endpoints by name; empty for one that is not
   */
  private Backend backend(
      String clusterName,
      UpstreamSpec spec,
      Optional<String> trustedCa,
      ClusterLoadAssignment assignment,
      Optional<SortedMap<String, String>> tokens) {
    boolean byAllocation = tokens.isPresent();
    boolean inline =
        spec.staticHosts() != null
            && !spec.staticHosts().hosts().stream()
                .allMatch(host -> UpstreamValidator.isIpAddress(host.address()));
    var cluster =
        clusters.translate(
            clusterName, spec, trustedCa, inline ? Optional.of(assignment) : Optional.empty());
    return new Backend(
        byAllocation ? AllocationRouting.withSubsets(cluster) : cluster,
        inline ? Optional.empty() : Optional.of(assignment),
        byAllocation,
        tokens.orElseGet(TreeMap::new));
  }

  /**
   * Whether the Upstream in {@code namespace} may read the Service {@code kube} names; when it may
   * not, says so in {@code references}.
   */
  private boolean kubePermitted(
      String namespace, KubeService kube, References references, Reads reads) {
    if (kube.serviceName() == null || kube.serviceName().isBlank()) {
      return true;
    }
    ReferenceGrants.Reference reference =
        new ReferenceGrants.Reference(
            Upstream.GROUP,
            KIND,
            namespace,
            "",
            "Service",
            serviceNamespace(namespace, kube),
            kube.serviceName());
    if (grants.permits(reference, reads)) {
      return true;
    }
    references.add(
        "RefNotPermitted",
        "spec.kube.namespace: Service "
            + reference.toNamespace()
            + "/"
            + reference.toName()
            + " is in another namespace than the Upstream, and no ReferenceGrant permits the "
            + "reference (it takes "
            + reference.grantNeeded()
            + "); nothing is served from it");
    return false;
  }

  private static String serviceNamespace(String namespace, KubeService kube) {
    return kube.namespace() == null || kube.namespace().isEmpty() ? namespace : kube.namespace();
  }

  private Optional<EndpointTranslator.ServiceEndpoints.Found> kubeEndpoints(
      String clusterName, String namespace, KubeService kube, References references, Reads reads) {
    if (kube.serviceName() == null || kube.serviceName().isBlank() || kube.port() == null) {
      return Optional.empty();
    }
    String serviceNamespace = serviceNamespace(namespace, kube);
    EndpointTranslator.ServiceEndpoints found =
        endpoints.service(clusterName, serviceNamespace, kube.serviceName(), kube.port(), reads);
    if (found instanceof EndpointTranslator.ServiceEndpoints.Found port) {
      return Optional.of(port);
    }
    references.add(
        "BackendNotFound",
        "spec.kube: "
            + ((EndpointTranslator.ServiceEndpoints.Missing) found).problem()
            + "; the cluster has no endpoints until it appears");
    return Optional.empty();
  }

  private Optional<String> trustedCa(
      String namespace, CaBundleRef ref, References references, Reads reads) {
    if (ref.configMapName() == null) {
      return Optional.empty();
    }
    String key = ref.key() == null ? DEFAULT_CA_KEY : ref.key();
    String configMapName = namespace + "/" + ref.configMapName();
    ConfigMap configMap =
        reads.read(Reads.Source.CONFIG_MAP, configMapName, configMap(configMapName));
    if (configMap == null) {
      references.add(
          "InvalidCACertificateRef",
          "spec.tls.caBundleRef: ConfigMap "
              + configMapName
              + " not found; no cluster until it exists");
      return Optional.empty();
    }
    String pem = configMap.getData() == null ? null : configMap.getData().get(key);
    if (pem == null) {
      references.add(
          "InvalidCACertificateRef",
          "spec.tls.caBundleRef.key: ConfigMap "
              + configMapName
              + " has no key "
              + key
              + "; no cluster until it has");
      return Optional.empty();
    }
    Optional<String> pemProblem = pemProblem(pem);
    if (pemProblem.isPresent()) {
      references.add(
          "InvalidCACertificateRef",
          "spec.tls.caBundleRef: key "
              + key
              + " of ConfigMap "
              + configMapName
              + " is not a PEM certificate bundle ("
              + pemProblem.get()
              + "); no cluster until it is");
      return Optional.empty();
    }
    return Optional.of(pem);
  }

  /**
   * Why Envoy would refuse {@code pem} as trusted CAs, if it would, in words for the Upstream's
   * author: the JDK's own messages name its exception classes ({@code java.io.EOFException}), which
   * say nothing to them.
   */
  private static Optional<String> pemProblem(String pem) {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      return Optional.of("no BEGIN CERTIFICATE block");
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      if (factory
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .isEmpty()) {
        return Optional.of("no certificate");
      }
      return Optional.empty();
    } catch (CertificateException e) {
      return Optional.of(
          "a certificate block does not decode as an X.509 certificate: truncated, corrupted or "
              + "not a certificate");
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
