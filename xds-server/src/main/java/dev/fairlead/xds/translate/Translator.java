package dev.fairlead.xds.translate;

import dev.fairlead.api.state.ClusterState;
import java.util.Objects;

/**
 * Turns a {@link ClusterState} into the Envoy resources of every fleet and a verdict on every
 * Upstream, and on every GatewayClass, Gateway and HTTPRoute parentRef that is Fairlead's: a
 * GatewayClass naming {@link dev.fairlead.api.state.GatewayController#NAME}, a Gateway of such a
 * class that is accepted, a parentRef to such a Gateway. Every other Gateway API object is another
 * controller's; it gets no verdict and adds nothing.
 *
 * <p>A pure function: the same state gives an equal {@link Translation} (and byte-identical
 * resources under deterministic serialization), whatever the order objects arrived in. It reads no
 * clock, does no I/O, logs nothing, and never throws for a bad object: the object gets a verdict
 * saying what is wrong and everything else still translates. One processor per input kind does the
 * work — {@link UpstreamTranslator}, {@link GatewayClassTranslator}, {@link GatewayTranslator},
 * {@link HTTPRouteTranslator} (with {@link BackendResolver} for its backendRefs) — and a {@link
 * FleetBuilder} per Gateway collects the result. ReferenceGrants get no verdict: they decide,
 * through {@link ReferenceGrants}, which references across namespaces the others may follow.
 *
 * <p>Objects without a name are skipped, and one without a namespace is read as being in {@code
 * default}. Should the state hold two objects of one kind with the same namespace and name, the
 * first is used.
 *
 * <p>Immutable and thread-safe: each call translates with an {@link IncrementalTranslator} of its
 * own, which has nothing to reuse; a caller translating state after state uses one {@link
 * IncrementalTranslator} instead.
 */
public final class Translator {

  private final TranslatorOptions options;

  public Translator(TranslatorOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public Translation translate(ClusterState state) {
    return new IncrementalTranslator(options).translate(state);
  }
}
