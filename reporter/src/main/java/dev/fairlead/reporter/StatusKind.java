package dev.fairlead.reporter;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the reporter knows about one kind's status: how to compute the desired status of an object
 * from what a report says about it, how to compare statuses, and how to carry a status in a
 * status-subresource update. Everything about writing (preconditions, conflicts, the cache) is
 * kind-independent and lives in {@link StatusWriter}.
 *
 * <p>Implementations are stateless and thread-safe; their functions are pure given their arguments.
 *
 * @param <T> the model class of the kind
 * @param <S> the model class of its status
 */
interface StatusKind<T extends HasMetadata, S> {

  /** The kind, as verdicts and {@link ObjectKey}s name it. */
  String kind();

  Class<T> type();

  /**
   * The status {@code current} should have, given what the report says about it; empty when the
   * reporter has nothing to say about this object (no verdict for its UID, so it is not Fairlead's
   * to judge — or not yet), in which case its status is left alone.
   *
   * @param current the object as last read; its existing status decides the {@code
   *     lastTransitionTime}s kept and, for HTTPRoutes, the parent entries of other controllers that
   *     stay
   * @param now the time new transitions are dated
   */
  Optional<S> desired(ObjectReport report, T current, Instant now);

  /** The object's status, or null if it has none. */
  S status(T object);

  /**
   * {@code status} in the form statuses are compared and cached in: without {@code
   * lastTransitionTime}s (see {@link Conditions#withoutTransitionTimes}). Null for null, unless the
   * kind has a canonical form for "no status".
   */
  S comparable(S status);

  /**
   * Whether other controllers write parts of this kind's status too (a route's {@code
   * status.parents}). A shared status is written with an update whose {@code resourceVersion}
   * precondition keeps other writers' parts from being overwritten; a status Fairlead alone writes
   * is patched whole without one, so that changes others make to the object's metadata or spec
   * cannot starve it (see {@link StatusWriter}).
   */
  default boolean sharesStatus() {
    return false;
  }

  /**
   * {@code status} as the patch of a status Fairlead alone writes carries it, given its JSON form
   * (a map the method may change and return). The model's serialization leaves out empty lists; a
   * kind whose schema requires such a list even when empty puts it back here, or the API server
   * refuses the whole status.
   */
  default Map<String, Object> patchValue(Map<String, Object> json) {
    return json;
  }

  /**
   * What a status-subresource update of a {@link #sharesStatus shared} status sends: the object's
   * identity ({@code name}, {@code namespace}, and as preconditions {@code uid} and {@code
   * resourceVersion}) carrying {@code status}. The API server takes nothing but the status from a
   * status update, so nothing else is sent.
   */
  T withStatus(T object, S status);

  /** A JSON object's map with its keys as strings, in their order. */
  static Map<String, Object> stringKeyed(Map<?, ?> json) {
    Map<String, Object> keyed = new LinkedHashMap<>();
    json.forEach((key, value) -> keyed.put(String.valueOf(key), value));
    return keyed;
  }

  /**
   * The metadata a status update carries: which object ({@code namespace}, {@code name}) and, as
   * preconditions the API server checks, which incarnation of it ({@code uid}: a recreated object
   * is refused) at which version ({@code resourceVersion}: an object changed since it was read is
   * refused with 409 Conflict).
   */
  static ObjectMeta identity(HasMetadata object) {
    ObjectMeta meta = object.getMetadata();
    return new ObjectMetaBuilder()
        .withNamespace(meta.getNamespace())
        .withName(meta.getName())
        .withUid(meta.getUid())
        .withResourceVersion(meta.getResourceVersion())
        .build();
  }
}
