package dev.fairlead.reporter;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Whether the Gateway API CRDs installed are a version Fairlead supports: the {@code
 * SupportedVersion} condition of Fairlead's GatewayClasses. The Gateway API defines a CRD's version
 * as its {@value #BUNDLE_VERSION} annotation, and has this condition False when a CRD lacks it or
 * carries a version the implementation does not know.
 *
 * <p>Fairlead supports bundle versions v1.0 to v1.6 (the standard channel's {@code v1} kinds it
 * reads: GatewayClass, Gateway, HTTPRoute; its tests run against v1.6). A version outside that
 * range still gets Fairlead's best effort — its GatewayClasses stay accepted, as the Gateway API
 * allows — with {@code SupportedVersion} False saying which CRD is at which version.
 *
 * @param supported whether every CRD read is at a supported version
 * @param message what was found, for the condition's message
 */
record GatewayApiVersion(boolean supported, String message) {

  /** The annotation carrying a Gateway API CRD's version. */
  static final String BUNDLE_VERSION = "gateway.networking.k8s.io/bundle-version";

  /** The CRDs of the kinds Fairlead reads. */
  static final List<String> CRDS =
      List.of(
          "gatewayclasses.gateway.networking.k8s.io",
          "gateways.gateway.networking.k8s.io",
          "httproutes.gateway.networking.k8s.io");

  private static final Pattern SUPPORTED = Pattern.compile("v1\\.[0-6]\\.\\d+");

  /** The supported versions, as the condition's message names them. */
  private static final String SUPPORTED_RANGE = "v1.0 to v1.6";

  GatewayApiVersion {
    Objects.requireNonNull(message, "message");
  }

  /**
   * The version of the CRDs installed, read from the API server (one GET per CRD). A CRD that
   * cannot be read counts as not supported, with the reason in the message.
   */
  static GatewayApiVersion read(KubernetesClient client) {
    Map<String, String> versions = new LinkedHashMap<>();
    for (String crd : CRDS) {
      try {
        CustomResourceDefinition definition =
            client.apiextensions().v1().customResourceDefinitions().withName(crd).get();
        versions.put(
            crd,
            definition == null
                ? "not installed"
                : definition.getMetadata().getAnnotations() == null
                    ? null
                    : definition.getMetadata().getAnnotations().get(BUNDLE_VERSION));
      } catch (KubernetesClientException e) {
        versions.put(crd, "cannot be read (" + e.getCode() + ")");
      }
    }
    return of(versions);
  }

  /**
   * Judges {@code versions}: by CRD name, the bundle version it carries, null when it has no
   * annotation, or a phrase saying why there is none (not a version, so not supported).
   */
  static GatewayApiVersion of(Map<String, String> versions) {
    List<String> unsupported = new ArrayList<>();
    versions.forEach(
        (crd, version) -> {
          if (version == null) {
            unsupported.add(crd + " has no " + BUNDLE_VERSION + " annotation");
          } else if (!SUPPORTED.matcher(version).matches()) {
            unsupported.add(crd + (version.startsWith("v") ? " is at " + version : " " + version));
          }
        });
    if (unsupported.isEmpty()) {
      return new GatewayApiVersion(
          true,
          "Gateway API CRDs at "
              + String.join(", ", versions.values().stream().distinct().toList())
              + ", supported ("
              + SUPPORTED_RANGE
              + ")");
    }
    return new GatewayApiVersion(
        false,
        String.join("; ", unsupported)
            + "; Fairlead supports Gateway API "
            + SUPPORTED_RANGE
            + " and serves its classes on a best-effort basis");
  }
}
