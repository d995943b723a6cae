/**
 * The translator: a pure function from a {@code ClusterState} (Upstreams, Gateways, HTTPRoutes,
 * Services, EndpointSlices, ConfigMaps) to the Envoy resources of each fleet and a verdict on every
 * object.
 *
 * <p>{@link dev.fairlead.xds.translate.Translator} is the entry point; {@link
 * dev.fairlead.xds.translate.Translation}, {@link dev.fairlead.xds.translate.FleetConfig} and
 * {@link dev.fairlead.xds.translate.Verdict} are what it hands to the xDS cache and the reporter.
 * Golden files under {@code src/test/resources/translator} show, case by case, what it produces.
 */
package dev.fairlead.xds.translate;
