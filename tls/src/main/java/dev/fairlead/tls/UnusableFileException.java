package dev.fairlead.tls;

/**
 * A file that cannot be read or used (missing, unreadable, not the PEM expected, a key that does
 * not match its certificate). The message names the file and the problem and never quotes the
 * file's contents, so it is safe for logs and error output.
 */
public final class UnusableFileException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UnusableFileException(String message) {
    super(message);
  }
}
