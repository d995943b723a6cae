package dev.fairlead.api.v1alpha1;

/** Who runs a Gateway's Envoys. */
public enum ProxyMode {
  /**
   * Fairlead creates and owns the Envoy Deployment, Service, bootstrap ConfigMap and
   * ServiceAccount.
   */
  Managed,
  /**
   * The user runs Envoy with {@code node.cluster = <namespace>/<gateway>} and declares its
   * addresses.
   */
  Unmanaged
}
