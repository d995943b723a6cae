package dev.fairlead.reporter;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether a desired status needs writing, decided from three values, all in {@link
 * StatusKind#comparable comparable} form: the status desired for the object, the status the object
 * carries as read, and what the last-written cache holds for the object's UID.
 *
 * <ul>
 *   <li>{@link #IN_PLACE}: the object already carries the desired status. Nothing is written —
 *       whoever put it there. This is what keeps a restart, a new leader, an informer resync or the
 *       echo of our own write from writing anything.
 *   <li>{@link #READ_AGAIN}: the object as read carries something else, but the cache says exactly
 *       this status was last written for this UID. Either the copy read is stale (the informer has
 *       not yet delivered our own write) or someone else has overwritten the status since. Only the
 *       API server can tell which, so the object is read from it and the decision made again; a
 *       stale copy then costs one read instead of a write bound to fail with 409, and an
 *       overwritten status is put back.
 *   <li>{@link #WRITE}: the status differs and the cache does not claim otherwise for this UID — a
 *       new object (a recreated one has a new UID, so its predecessor's cache entry never applies),
 *       a changed verdict, or an object confirmed fresh from the API server.
 * </ul>
 *
 * <p>So a write happens only when the desired status differs from the object's current one, and
 * never merely because the cache lacks an entry. The cache is keyed by UID, never by name: an entry
 * can only ever claim something about the very object it was written to.
 */
enum WriteDecision {
  IN_PLACE,
  READ_AGAIN,
  WRITE;

  /**
   * @param desired the desired status
   * @param current the object's status as read (null if it has none)
   * @param lastWritten what the cache holds for the object's UID
   * @param freshlyRead whether {@code current} was just read from the API server (not from the
   *     informer's cache): then it is not stale, and a difference is written without reading again
   */
  static WriteDecision decide(
      Object desired, Object current, Optional<Object> lastWritten, boolean freshlyRead) {
    Objects.requireNonNull(desired, "desired");
    if (desired.equals(current)) {
      return IN_PLACE;
    }
    if (!freshlyRead && lastWritten.isPresent() && lastWritten.get().equals(desired)) {
      return READ_AGAIN;
    }
    return WRITE;
  }
}
