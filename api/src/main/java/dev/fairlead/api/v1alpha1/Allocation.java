package dev.fairlead.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One endpoint of an Upstream handed out for exclusive use. The allocator is its only writer.
 *
 * <p><b>Exclusivity is the API server's.</b> An Allocation's name is a function of the endpoint it
 * holds ({@link AllocationNames#forEndpoint}), so at most one Allocation per (upstream, address,
 * port) can exist in a namespace: a second replica that tries to allocate the same endpoint gets
 * 409 AlreadyExists from the create, and no lock, lease or leader is needed. A live Allocation
 * <em>is</em> the holding; there is no "allocated" status to write, which keeps an allocation at
 * one API write.
 *
 * <p><b>Freeing deletes.</b> Releasing, expiry ({@code spec.expiresAt}) and the endpoint
 * disappearing all delete the object (with a resourceVersion precondition), because only deletion
 * frees the name for the next allocation; keeping the object around marked "released" would block
 * the endpoint or need a second, non-unique key. Why an allocation ended is recorded as a
 * Kubernetes Event on it (reason {@code Released}, {@code Expired} or {@code EndpointGone}), which
 * is where kubectl users look for history and which the API server expires itself.
 *
 * <p>Labels and annotations a client asks to record are the object's own {@code metadata.labels}
 * and {@code metadata.annotations}. The spec is never changed after creation.
 */
@Group(Upstream.GROUP)
@Version(Upstream.VERSION)
@Singular("allocation")
@Plural("allocations")
@AdditionalPrinterColumn(
    name = "Upstream",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".spec.upstream")
@AdditionalPrinterColumn(
    name = "Address",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".spec.endpoint.address")
@AdditionalPrinterColumn(
    name = "Port",
    type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".spec.endpoint.port")
@AdditionalPrinterColumn(
    name = "Pod",
    type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".spec.target.pod")
@AdditionalPrinterColumn(
    name = "Expires",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".spec.expiresAt")
@AdditionalPrinterColumn(
    name = "Age",
    type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class Allocation extends CustomResource<AllocationSpec, Void> implements Namespaced {

  public static final String KIND = "Allocation";

  private static final long serialVersionUID = 1L;
}
