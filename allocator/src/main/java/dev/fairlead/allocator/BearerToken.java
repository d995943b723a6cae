package dev.fairlead.allocator;

import dev.fairlead.tls.UnusableFileException;
import dev.fairlead.tls.WatchedFiles;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The bearer token the allocation API requires: read from a file (one line; surrounding white space
 * ignored), re-read when the file changes, and kept only as its SHA-256 digest. A request is
 * accepted when it carries {@code Authorization: Bearer <token>} (gRPC: metadata {@code
 * authorization}); the digests are compared in constant time, and being of one length they leak
 * neither the token nor its length through timing. The token is never logged: log lines name the
 * file only.
 */
public final class BearerToken implements AutoCloseable {

  private static final String SCHEME = "Bearer ";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Path file;
  private volatile byte[] digest;
  private WatchedFiles watch;

  private BearerToken(Path file) {
    this.file = file;
  }

  /**
   * Reads the token now and re-reads it when the file changes, checked every {@code interval}.
   *
   * @throws UnusableFileException when the file cannot be read or holds no token, naming it
   */
  public static BearerToken watch(Path file, Duration interval) {
    BearerToken token = new BearerToken(file);
    token.watch =
        WatchedFiles.start("allocator bearer token", List.of(file), interval, token::load);
    return token;
  }

  private String load(List<byte[]> contents) {
    String token = new String(contents.get(0), StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new UnusableFileException(file + ": no token in it");
    }
    if (token.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
      throw new UnusableFileException(
          file + ": a token is one line of visible ASCII characters without spaces");
    }
    digest = sha256(token);
    return "";
  }

  /**
   * Empty when {@code authorization} (the header's value, null when absent) carries the token; else
   * why not.
   */
  public Optional<String> refusal(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return Optional.of("this API requires a bearer token: Authorization: Bearer <token>");
    }
    if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Optional.of("this API takes only bearer tokens: Authorization: Bearer <token>");
    }
    String presented = authorization.substring(SCHEME.length()).strip();
    return MessageDigest.isEqual(sha256(presented), digest)
        ? Optional.empty()
        : Optional.of("the bearer token is not valid");
  }

  /** Closes every call without the token with UNAUTHENTICATED before it reaches the service. */
  public ServerInterceptor grpcInterceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Optional<String> refusal = refusal(headers.get(AUTHORIZATION));
        if (refusal.isEmpty()) {
          return next.startCall(call, headers);
        }
        call.close(Status.UNAUTHENTICATED.withDescription(refusal.get()), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    };
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }
}
