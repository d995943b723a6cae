/**
 * The parameters of Fairlead's Gateways: which {@link dev.fairlead.api.v1alpha1.GatewayParameters}
 * a GatewayClass and a Gateway refer to, whether those references hold, the settings they add up to
 * ({@link dev.fairlead.api.params.EffectiveParameters}), the names of a managed fleet's objects
 * ({@link dev.fairlead.api.params.ProxyNames}) and what the fleet's infrastructure adds to a
 * Gateway's status ({@link dev.fairlead.api.params.FleetStatuses}). Pure functions of a {@link
 * dev.fairlead.api.state.ClusterState}.
 */
package dev.fairlead.api.params;
