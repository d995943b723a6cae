package dev.fairlead.testkit;

/**
 * Starts local HTTP and gRPC backends on 127.0.0.1 for a test, each answering with its own name,
 * and stops them at the end of the scope they were started in (test method or class).
 *
 * <pre>{@code
 * @RegisterExtension
 * final Backends backends = new Backends();
 * HttpBackend blue = backends.http("blue");
 * }</pre>
 */
public final class Backends extends TestScopedResources<AutoCloseable> {

  public HttpBackend http(String name) {
    HttpBackend backend = HttpBackend.start(name);
    track(backend);
    return backend;
  }

  public GrpcBackend grpc(String name) {
    GrpcBackend backend = GrpcBackend.start(name);
    track(backend);
    return backend;
  }
}
