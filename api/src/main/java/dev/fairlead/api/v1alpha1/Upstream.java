package dev.fairlead.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A backend Envoy can send traffic to: a Kubernetes Service port ({@code spec.kube}) or a fixed
 * list of hosts ({@code spec.static}), with the connection, load-balancing, resilience and TLS
 * settings Envoy applies to it. Discovery creates one per Service port; people tune them with
 * kubectl. Fairlead writes {@code status} through the status subresource only, so a status write
 * never bumps {@code metadata.generation}.
 *
 * <p>{@code kubectl get upstreams} shows NAME, ACCEPTED, PROGRAMMED, ENDPOINTS, AGE. The CRD
 * generator orders printer columns by their JSONPath, ignoring the order of these annotations (and
 * {@code priority} only moves a column to {@code -o wide}), so the status columns are written
 * {@code ..status.…}: that sorts before {@code .metadata.creationTimestamp}, and, since no other
 * object in the schema has a {@code status} with these fields, selects exactly {@code .status}.
 */
@Group(Upstream.GROUP)
@Version(Upstream.VERSION)
@Singular("upstream")
@Plural("upstreams")
@ShortNames("us")
@AdditionalPrinterColumn(
    name = "Accepted",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..status.conditions[?(@.type==\"Accepted\")].status")
@AdditionalPrinterColumn(
    name = "Programmed",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = "..status.conditions[?(@.type==\"Programmed\")].status")
@AdditionalPrinterColumn(
    name = "Endpoints",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = "..status.readyEndpoints")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class Upstream extends CustomResource<UpstreamSpec, UpstreamStatus> implements Namespaced {

  public static final String GROUP = "fairlead.dev";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "Upstream";

  private static final long serialVersionUID = 1L;
}
