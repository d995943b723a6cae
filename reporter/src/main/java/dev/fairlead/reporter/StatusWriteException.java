package dev.fairlead.reporter;

/**
 * A status write that failed for a reason other than a conflict, or kept conflicting after every retry. The message
 * names the object — kind, namespace/name and UID — and why.
 */
final class StatusWriteException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String uid;

  StatusWriteException(String kind, String namespace, String name, String uid, String message, Throwable cause) {
    super(kind + " " + namespace + "/" + name + " (uid " + uid + "): " + message, cause);
    this.uid = uid;
  }

  /** The UID of the object whose status could not be written. */
  String uid() {
    return uid;
  }
}
