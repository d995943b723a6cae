/**
 * The parameters of Fairlead's Gateways: which {@link dev.fairlead.api.v1alpha1.GatewayParameters} a GatewayClass and
 * a Gateway refer to, whether those references hold, and the settings they add up to
 * ({@link dev.fairlead.api.params.EffectiveParameters}). Pure functions of a {@link dev.fairlead.api.state.ClusterState}.
 */
package dev.fairlead.api.params;
