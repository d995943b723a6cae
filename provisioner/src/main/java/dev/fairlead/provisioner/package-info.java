/**
 * The managed data plane: for each Gateway of Fairlead's GatewayClasses whose parameters say {@code
 * mode: Managed}, an Envoy Deployment, a Service, a bootstrap ConfigMap and a ServiceAccount.
 *
 * <p>Deciding and doing are apart: {@link dev.fairlead.provisioner.ProxyDecision} (what a Gateway
 * should have) and {@link dev.fairlead.provisioner.ManagedProxy} (the objects themselves) are pure
 * and golden-tested; {@link dev.fairlead.provisioner.ProxyReconciler} applies them on the leader
 * with server-side apply.
 */
package dev.fairlead.provisioner;
