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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A local HTTP/1.1 server on 127.0.0.1 that answers every request with its own name (body and the
 * {@code x-backend} header), so a test can tell which backend a request through Envoy reached.
 * It counts requests and can be told to answer with another status (e.g. to fail health checks).
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

  private HttpBackend(String name, HttpServer server, ExecutorService executor) {
    this.name = name;
    this.server = server;
    this.executor = executor;
  }

  public static HttpBackend start(String name) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
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
