package dev.fairlead.xds.cache;

import java.util.List;

/**
 * What the cache tells the stream behind a {@link Watch}: while the watch waits, any number of
 * notes about what the stream holds ({@link Holds}, {@link RejectedGone}); then at most one {@link
 * Response}, which ends the watch. The server applies them to the stream state it owns; the cache
 * keeps none of it beyond the watch. Immutable.
 */
public sealed interface Answer {

  /** The type the watch is of. */
  ResourceType type();

  /**
   * Resources to send. State of the world: {@code resources} is every resource the stream asks for,
   * or of a named type the ones it lacks (a resource not in the response is not removed); {@code
   * removed} is empty and {@code version} the version of the set. Delta: the resources to add or
   * replace and the names to remove, both in name order; {@code version} is the system version.
   * {@code resources} are the cache's shared encodings.
   *
   * @param change the change of the fleet's resources ({@link ChangeLog}) the response brings the
   *     stream up to, once the proxy accepts it
   * @param firstObservedNanos when the first change the stream did not hold was observed ({@link
   *     System#nanoTime()}), -1 if it carries none new: the proxy's ACK minus this is its
   *     convergence time
   * @param sequence once sent, the stream has looked at every change of the fleet's resources up to
   *     this sequence number ({@link TypeResources#sequence()}); -1 to leave that as it is
   * @param rechecked once sent, the names looked at whether or not they changed
   */
  record Response(
      ResourceType type,
      String version,
      List<EncodedResource> resources,
      List<String> removed,
      long change,
      long firstObservedNanos,
      long sequence,
      List<String> rechecked)
      implements Answer {

    public Response {
      resources = List.copyOf(resources);
      removed = List.copyOf(removed);
      rechecked = List.copyOf(rechecked);
    }
  }

  /**
   * Nothing to send now: every change of the fleet's resources up to sequence number {@code
   * sequence} has been looked at for the stream (-1 to leave that as it is), and of {@code
   * rechecked} too; {@code standing} says what that means for the stream's progress, as of change
   * {@code change} ({@link ChangeLog}).
   */
  record Holds(
      ResourceType type, long change, Standing standing, long sequence, List<String> rechecked)
      implements Answer {

    public Holds {
      rechecked = List.copyOf(rechecked);
    }
  }

  /** What a {@link Holds} says of the stream. */
  enum Standing {
    /**
     * State of the world, every resource of the type: the request named the current version, so the
     * stream holds everything as of the change, and a rejection it made before does not stand (the
     * configuration went back to what it accepted).
     */
    CURRENT_VERSION,
    /** It holds everything it should as of the change. */
    UP_TO_DATE,
    /** It holds everything except resources it rejected, which are withheld until they change. */
    WITHHELD
  }

  /**
   * Resources the stream rejected that it will not be sent again: they were deleted, or (state of
   * the world) it stopped asking for them. State of the world: {@code names} are all the names of
   * its standing rejection; delta: those of the rejected resources that are gone.
   */
  record RejectedGone(ResourceType type, List<String> names) implements Answer {

    public RejectedGone {
      names = List.copyOf(names);
    }
  }
}
