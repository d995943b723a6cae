package dev.fairlead.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A local HTTP/1.1 server on 127.0.0.1 that answers every request with its own name (body and the
 * {@code x-backend} header), so a test can tell which backend a request through Envoy reached. It
 * counts requests, keeps the last one (its target and headers, to see what Envoy forwarded), and
 * can be told to answer with another status (e.g. to fail health checks).
 *
 * <p>Thread-safe; closing stops the server.
 */
public final class HttpBackend implements AutoCloseable {

  /** Response header carrying the backend's name. */
  public static final String IDENTITY_HEADER = "x-backend";

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;
  private final LongAdder requests = new LongAdder();
  private volatile int status = 200;
  private volatile Request last;

  /**
   * A request as the backend received it.
   *
   * @param target the request target: path and query
   * @param headers the header values by lower-case name
   */
  public record Request(String target, Map<String, List<String>> headers) {

    /** The first value of header {@code name} (any case), if the request had it. */
    public Optional<String> header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream().findFirst();
    }
  }

  private HttpBackend(String name, HttpServer server, ExecutorService executor) {
    this.name = name;
    this.server = server;
    this.executor = executor;
  }

  public static HttpBackend start(String name) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      ExecutorService executor =
          Executors.newFixedThreadPool(
              4,
              r -> {
                Thread t = new Thread(r, "http-backend-" + name);
                t.setDaemon(true);
                return t;
              });
      HttpBackend backend = new HttpBackend(name, server, executor);
      server.createContext("/", backend::handle);
      server.setExecutor(executor);
      server.start();
      return backend;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start HTTP backend " + name, e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try (InputStream body = exchange.getRequestBody()) {
        body.transferTo(OutputStream.nullOutputStream());
      }
      Map<String, List<String>> headers = new TreeMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
      last = new Request(exchange.getRequestURI().toString(), Map.copyOf(headers));
      requests.increment();
      byte[] answer = (name + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set(IDENTITY_HEADER, name);
      exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  public String name() {
    return name;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests answered since start. */
  public long requests() {
    return requests.sum();
  }

  /** The last request answered, if any. */
  public Optional<Request> lastRequest() {
    return Optional.ofNullable(last);
  }

  /** Answers every later request with this status. */
  public void respondWith(int status) {
    this.status = status;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "HTTP backend " + name + " on 127.0.0.1:" + port();
  }
}
