package dev.fairlead.discovery;

/**
 * A write of an Upstream that failed for a reason other than a conflict, or kept conflicting after
 * every retry. The message names the Upstream (namespace/name and uid, when it exists) and what was
 * being written.
 */
public final class UpstreamWriteException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String namespace;
  private final String name;
  private final String uid;

  UpstreamWriteException(
      String namespace, String name, String uid, String message, Throwable cause) {
    super(
        "Upstream "
            + namespace
            + "/"
            + name
            + (uid == null ? "" : " (uid " + uid + ")")
            + ": "
            + message,
        cause);
    this.namespace = namespace;
    this.name = name;
    this.uid = uid;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  /** The UID of the Upstream written, or null if it did not exist yet. */
  public String uid() {
    return uid;
  }
}
