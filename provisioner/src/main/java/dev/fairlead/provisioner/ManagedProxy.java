package dev.fairlead.provisioner;

import dev.fairlead.api.params.EffectiveParameters;
import dev.fairlead.api.params.FleetStatuses;
import dev.fairlead.api.params.ProxyIdentity;
import dev.fairlead.api.params.ProxyNames;
import dev.fairlead.api.v1alpha1.ProxyService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The objects of one Gateway's managed fleet, all named {@link ProxyNames#of}, in the Gateway's
 * namespace, labelled {@link ProxyNames#MANAGED_BY}{@code =}{@link ProxyNames#PROVISIONER} and
 * owned by the Gateway (a controller owner reference: on a real cluster the garbage collector
 * removes them with it).
 *
 * <p>The Envoy container runs as a non-root user (65532) with a read-only root filesystem, no
 * capabilities and no privilege escalation. It still binds the Gateway's listener ports as they
 * are, including those below 1024: the pod sets the namespaced sysctl {@code
 * net.ipv4.ip_unprivileged_port_start=0}, one of the sysctls Kubernetes counts as safe (allowed
 * without a kubelet flag since 1.22), which lifts the privileged-port rule for the pod's own
 * network namespace only. So the container, the Service and the translator all use the listener's
 * own port, with no mapping to keep in step.
 *
 * <p>The pod template carries a hash of the bootstrap, so a changed bootstrap rolls the pods. The
 * Gateway's one requested IP address ({@link FleetStatuses#requestedIp}) becomes the Service's
 * {@code clusterIP} or {@code loadBalancerIP}; what cannot be honoured is the Gateway's {@code
 * Programmed=False}, not an error here.
 *
 * <p>With Fairlead's xDS CA ({@link ProvisionerOptions#ca()}) the pods mount the fleet's client
 * certificate Secret ({@link ClientCertificateSecret}, same name) at {@link
 * ProxyBootstrap#CLIENT_CERTIFICATE_DIR}, readable by the proxy's group only; the Secret itself,
 * random by nature, is added by {@link #withClientCertificate}, which also puts its certificate's
 * serial on the pod template, so a new certificate rolls the pods.
 *
 * @param service empty when the Gateway has no listener with a usable port: a Service needs at
 *     least one port
 * @param clientCertificate the Secret of the fleet's xDS client certificate, once {@link
 *     #withClientCertificate} added it
 */
public record ManagedProxy(
    ServiceAccount serviceAccount,
    ConfigMap bootstrap,
    Deployment deployment,
    Optional<Service> service,
    Optional<Secret> clientCertificate) {

  static final String BOOTSTRAP_KEY = "bootstrap.yaml";
  static final String BOOTSTRAP_HASH_ANNOTATION = "fairlead.dev/bootstrap-sha256";
  static final String CLIENT_CERTIFICATE_ANNOTATION = "fairlead.dev/xds-client-certificate-serial";

  /** Owner read, group read: the proxy reads the key through the pod's {@code fsGroup}. */
  private static final int CLIENT_CERTIFICATE_MODE = 0440;

  static final long PROXY_USER = 65532L;
  static final String CONTAINER = "envoy";
  static final String CLIENT_CERTIFICATE_VOLUME = "xds-client";

  /** The objects of {@code gateway}'s fleet with {@code parameters}. */
  public static ManagedProxy of(
      Gateway gateway, EffectiveParameters parameters, ProvisionerOptions options) {
    String namespace = gateway.getMetadata().getNamespace();
    String gatewayName = gateway.getMetadata().getName();
    String name = ProxyNames.of(gatewayName);
    Map<String, String> labels =
        new TreeMap<>(
            Map.of(
                ProxyNames.MANAGED_BY,
                ProxyNames.PROVISIONER,
                "app.kubernetes.io/name",
                "fairlead-proxy",
                ProxyNames.PROXY_LABEL,
                name));
    ObjectMeta metadata =
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .withAnnotations(Map.of(ProxyNames.GATEWAY_ANNOTATION, gatewayName))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(
                        gateway.getApiVersion() == null
                            ? "gateway.networking.k8s.io/v1"
                            : gateway.getApiVersion())
                    .withKind("Gateway")
                    .withName(gatewayName)
                    .withUid(gateway.getMetadata().getUid())
                    .withController(true)
                    .build())
            .build();
    List<Integer> ports = listenerPorts(gateway);

    ServiceAccount serviceAccount =
        new ServiceAccountBuilder()
            .withMetadata(copy(metadata))
            .withAutomountServiceAccountToken(false)
            .build();
    String bootstrapYaml = ProxyBootstrap.yaml(namespace + "/" + gatewayName, options);
    ConfigMap bootstrap =
        new ConfigMapBuilder()
            .withMetadata(copy(metadata))
            .withData(Map.of(BOOTSTRAP_KEY, bootstrapYaml))
            .build();
    Map<String, String> podAnnotations = new TreeMap<>(parameters.podAnnotations());
    podAnnotations.put(BOOTSTRAP_HASH_ANNOTATION, ProxyNames.sha256(bootstrapYaml));
    Deployment deployment =
        new DeploymentBuilder()
            .withMetadata(copy(metadata))
            .withNewSpec()
            .withReplicas(parameters.replicas())
            .withNewSelector()
            .withMatchLabels(Map.of(ProxyNames.PROXY_LABEL, name))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .withAnnotations(podAnnotations)
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(name)
            .withAutomountServiceAccountToken(false)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(PROXY_USER)
            .withRunAsGroup(PROXY_USER)
            .addNewSysctl("net.ipv4.ip_unprivileged_port_start", "0")
            .endSecurityContext()
            .addNewContainer()
            .withName(CONTAINER)
            .withImage(parameters.image().orElse(options.defaultImage()))
            .withImagePullPolicy(parameters.imagePullPolicy().name())
            .withArgs(
                "-c",
                "/etc/envoy/" + BOOTSTRAP_KEY,
                "--service-node",
                "$(POD_NAME)",
                "--log-level",
                parameters.logLevel().envoyName(),
                "--disable-hot-restart")
            .addNewEnv()
            .withName("POD_NAME")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .withPorts(containerPorts(ports))
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath(ProxyBootstrap.READY_PATH)
            .withPort(new IntOrString(ProxyBootstrap.READY_PORT))
            .endHttpGet()
            .withPeriodSeconds(5)
            .withFailureThreshold(2)
            .endReadinessProbe()
            .withResources(parameters.resources().orElseGet(ResourceRequirements::new))
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .addNewVolumeMount()
            .withName("bootstrap")
            .withMountPath("/etc/envoy")
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("bootstrap")
            .withNewConfigMap()
            .withName(name)
            .endConfigMap()
            .endVolume()
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    Optional<String> requestedIp = FleetStatuses.requestedIp(gateway, parameters.serviceType());
    Optional<Service> service =
        ports.isEmpty()
            ? Optional.empty()
            : Optional.of(
                new ServiceBuilder()
                    .withMetadata(
                        new ObjectMetaBuilder(copy(metadata))
                            .addToAnnotations(new TreeMap<>(parameters.serviceAnnotations()))
                            .build())
                    .withNewSpec()
                    .withType(parameters.serviceType().name())
                    .withSelector(Map.of(ProxyNames.PROXY_LABEL, name))
                    .withPorts(servicePorts(ports))
                    .withClusterIP(
                        parameters.serviceType() == ProxyService.Type.ClusterIP
                            ? requestedIp.orElse(null)
                            : null)
                    .withLoadBalancerIP(
                        parameters.serviceType() == ProxyService.Type.LoadBalancer
                            ? requestedIp.orElse(null)
                            : null)
                    .endSpec()
                    .build());
    if (options.ca().isPresent()) {
      mountClientCertificate(deployment, name);
    }
    return new ManagedProxy(serviceAccount, bootstrap, deployment, service, Optional.empty());
  }

  private static void mountClientCertificate(Deployment deployment, String secretName) {
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    pod.getSecurityContext().setFsGroup(PROXY_USER);
    pod.getContainers()
        .get(0)
        .getVolumeMounts()
        .add(
            new VolumeMountBuilder()
                .withName(CLIENT_CERTIFICATE_VOLUME)
                .withMountPath(ProxyBootstrap.CLIENT_CERTIFICATE_DIR)
                .withReadOnly(true)
                .build());
    pod.getVolumes()
        .add(
            new VolumeBuilder()
                .withName(CLIENT_CERTIFICATE_VOLUME)
                .withNewSecret()
                .withSecretName(secretName)
                .withDefaultMode(CLIENT_CERTIFICATE_MODE)
                .endSecret()
                .build());
  }

  /** The Gateway whose fleet this is, as the identity its client certificate carries. */
  public ProxyIdentity identity() {
    ObjectMeta metadata = serviceAccount.getMetadata();
    return new ProxyIdentity(
        metadata.getNamespace(), metadata.getAnnotations().get(ProxyNames.GATEWAY_ANNOTATION));
  }

  /**
   * This fleet with {@code secret} (a {@link ClientCertificateSecret}) as its client certificate,
   * the certificate's serial on the pod template.
   */
  ManagedProxy withClientCertificate(Secret secret) {
    Deployment rolled =
        new DeploymentBuilder(deployment)
            .editSpec()
            .editTemplate()
            .editMetadata()
            .addToAnnotations(CLIENT_CERTIFICATE_ANNOTATION, ClientCertificateSecret.serial(secret))
            .endMetadata()
            .endTemplate()
            .endSpec()
            .build();
    return new ManagedProxy(serviceAccount, bootstrap, rolled, service, Optional.of(secret));
  }

  /**
   * The metadata every object of the fleet carries: name, namespace, labels, Gateway annotation,
   * owner.
   */
  ObjectMeta metadata() {
    return copy(serviceAccount.getMetadata());
  }

  /** Every object, in the order they are applied: what the Deployment needs first. */
  public List<HasMetadata> objects() {
    List<HasMetadata> objects = new ArrayList<>(List.of(serviceAccount));
    clientCertificate.ifPresent(objects::add);
    objects.add(bootstrap);
    objects.add(deployment);
    service.ifPresent(objects::add);
    return objects;
  }

  /** The distinct ports of the Gateway's listeners that a container can listen on, ascending. */
  static List<Integer> listenerPorts(Gateway gateway) {
    TreeSet<Integer> ports = new TreeSet<>();
    if (gateway.getSpec() != null && gateway.getSpec().getListeners() != null) {
      for (Listener listener : gateway.getSpec().getListeners()) {
        Integer port = listener == null ? null : listener.getPort();
        if (port != null && port >= 1 && port <= 65535) {
          ports.add(port);
        }
      }
    }
    return List.copyOf(ports);
  }

  private static List<ContainerPort> containerPorts(List<Integer> ports) {
    return ports.stream()
        .map(
            port ->
                new ContainerPortBuilder()
                    .withName(portName(port))
                    .withContainerPort(port)
                    .withProtocol("TCP")
                    .build())
        .toList();
  }

  private static List<ServicePort> servicePorts(List<Integer> ports) {
    return ports.stream()
        .map(
            port ->
                new ServicePortBuilder()
                    .withName(portName(port))
                    .withPort(port)
                    .withTargetPort(new IntOrString(port))
                    .withProtocol("TCP")
                    .build())
        .toList();
  }

  /** A port's name: at most 15 characters with a letter, as Kubernetes wants of a named port. */
  static String portName(int port) {
    return "port-" + port;
  }

  private static ObjectMeta copy(ObjectMeta metadata) {
    return new ObjectMetaBuilder(metadata).build();
  }
}
