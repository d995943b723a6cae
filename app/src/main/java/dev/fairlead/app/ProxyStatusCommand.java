package dev.fairlead.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fairlead proxy-status}: asks a running Fairlead's admin server which proxies are connected
 * and prints, per xDS type, whether each holds what it was sent ({@link ProxyStatusTable}). Exits
 * 1, saying why, when the admin server cannot be reached or does not answer with the list.
 */
@Command(
    name = "proxy-status",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Show every proxy connected to a running Fairlead, and whether each has accepted (SYNCED), not yet "
            + "acknowledged (STALE) or rejected (NACKED) the configuration last sent to it, per xDS type.")
final class ProxyStatusCommand implements Callable<Integer> {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Option(
      names = "--admin-url",
      defaultValue = "${env:FAIRLEAD_ADMIN_URL:-http://127.0.0.1:18090}",
      description =
          "Base URL of the Fairlead admin server. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_ADMIN_URL.")
  String adminUrl;

  @Override
  public Integer call() {
    URI proxies;
    try {
      proxies = URI.create(adminUrl.replaceAll("/+$", "") + "/debug/proxies");
      if (proxies.getScheme() == null || proxies.getHost() == null) {
        return fail("--admin-url " + adminUrl + " is not an http:// URL with a host");
      }
    } catch (IllegalArgumentException e) {
      return fail("--admin-url " + adminUrl + " is not a URL: " + e.getMessage());
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(TIMEOUT)
              .build()
              .send(
                  HttpRequest.newBuilder(proxies).timeout(TIMEOUT).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return fail(
          "cannot reach the Fairlead admin server at "
              + adminUrl
              + ": "
              + describe(e)
              + " (is Fairlead running, and is --admin-url its --admin-address and --admin-port?)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted while asking " + proxies);
    }
    if (response.statusCode() != 200) {
      return fail(
          proxies + " answered HTTP " + response.statusCode() + ": " + response.body().strip());
    }
    JsonNode document;
    try {
      document = new ObjectMapper().readTree(response.body());
    } catch (IOException e) {
      return fail(proxies + " did not answer with JSON: " + e.getMessage());
    }
    spec.commandLine().getOut().print(ProxyStatusTable.format(document));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private int fail(String message) {
    spec.commandLine().getErr().println("fairlead proxy-status: " + message);
    spec.commandLine().getErr().flush();
    return 1;
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (message != null && !message.isBlank()) {
      return message;
    }
    return e instanceof java.net.ConnectException
        ? "connection refused"
        : e.getClass().getSimpleName();
  }
}
