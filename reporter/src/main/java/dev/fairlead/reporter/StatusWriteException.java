package dev.fairlead.reporter;

/**
 * A status write that failed for a reason other than a conflict, or kept conflicting after every
 * retry. The message names the object — kind, namespace/name and UID — and why. {@link
 * #unanswered()} tells a write the API server never answered (unreachable, timed out: the network's
 * or the API server's trouble, retried until it passes) from one it refused (a status it will not
 * take, which someone must look at).
 */
final class StatusWriteException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final boolean unanswered;

  StatusWriteException(
      String kind,
      String namespace,
      String name,
      String uid,
      String message,
      boolean unanswered,
      Throwable cause) {
    super(kind + " " + namespace + "/" + name + " (uid " + uid + "): " + message, cause);
    this.uid = uid;
    this.unanswered = unanswered;
  }

  /** The UID of the object whose status could not be written. */
  String uid() {
    return uid;
  }

  /** Whether the API server gave no answer at all (no HTTP status): unreachable or timed out. */
  boolean unanswered() {
    return unanswered;
  }
}
