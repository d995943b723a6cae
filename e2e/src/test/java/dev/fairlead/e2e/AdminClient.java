package dev.fairlead.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.app.Fairlead;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;

/**
 * Talks to a Fairlead's admin server on 127.0.0.1 the way an operator would: HTTP, and {@code
 * fairlead proxy-status}.
 */
final class AdminClient {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String url;

  AdminClient(int port) {
    this.url = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonNode json(String path) {
    try {
      return JSON.readTree(get(path).body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The value of one sample of {@code /metrics} whose labels include {@code labels}; NaN if there
   * is none.
   */
  double metric(String name, Map<String, String> labels) {
    return get("/metrics")
        .body()
        .lines()
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .filter(
            line ->
                labels.entrySet().stream()
                    .allMatch(l -> line.contains(l.getKey() + "=\"" + l.getValue() + "\"")))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(Double.NaN);
  }

  /**
   * Runs {@code fairlead proxy-status --admin-url ...} in-process; its exit code and what it
   * printed.
   */
  Run proxyStatus() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new Fairlead())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute("proxy-status", "--admin-url", url);
    return new Run(exit, out.toString(), err.toString());
  }

  record Run(int exit, String out, String err) {}
}
