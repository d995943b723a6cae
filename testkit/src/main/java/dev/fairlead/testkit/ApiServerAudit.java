package dev.fairlead.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The kube-apiserver's own audit log of every request that changes something (verbs {@code create},
 * {@code update}, {@code patch}, {@code delete}, {@code deletecollection}; level {@code Metadata},
 * one JSON event per request once its response is complete): what the API server accepted, from
 * which client ({@code User-Agent}) and when it received it, as the server saw it rather than as
 * the client counts. Pass {@link #flags()} to {@link RealApiServer#RealApiServer( java.util.List)};
 * {@link #events()} reads what was logged so far, across the log's rotations and API-server
 * restarts (a restarted server appends to the same file).
 */
public final class ApiServerAudit {

  private static final String POLICY =
      """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: [RequestReceived, ResponseStarted]
      rules:
      - level: Metadata
        verbs: [create, update, patch, delete, deletecollection]
      - level: None
      """;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path policy;
  private final Path log;

  private ApiServerAudit(Path policy, Path log) {
    this.policy = policy;
    this.log = log;
  }

  /** An audit log of writes in {@code dir}, created if missing; its policy file is written now. */
  public static ApiServerAudit ofWrites(Path dir) {
    try {
      Files.createDirectories(dir);
      Path policy = dir.resolve("audit-policy.yaml");
      Files.writeString(policy, POLICY);
      return new ApiServerAudit(policy.toAbsolutePath(), dir.resolve("audit.log").toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the audit policy in " + dir, e);
    }
  }

  /** The kube-apiserver flags that keep this log. */
  public List<String> flags() {
    return List.of(
        "--audit-policy-file=" + policy,
        "--audit-log-path=" + log,
        "--audit-log-format=json",
        "--audit-log-mode=blocking",
        "--audit-log-maxsize=100",
        "--audit-log-maxbackup=20");
  }

  /** The log file the API server writes now. */
  public Path log() {
    return log;
  }

  /**
   * Every request logged so far, rotated files first. A line the API server is still writing (the
   * last, without its newline yet) is left for the next call.
   */
  public List<Event> events() {
    List<Event> events = new ArrayList<>();
    for (Path file : files()) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the audit log " + file, e);
      }
      int end = text.lastIndexOf('\n');
      for (String line : text.substring(0, end + 1).split("\n")) {
        if (!line.isBlank()) {
          events.add(Event.parse(line));
        }
      }
    }
    return events;
  }

  private List<Path> files() {
    String name = log.getFileName().toString();
    String stem = name.substring(0, name.lastIndexOf('.'));
    try (Stream<Path> listed = Files.list(log.getParent())) {
      List<Path> rotated =
          listed
              .filter(
                  p ->
                      p.getFileName().toString().startsWith(stem + "-")
                          && p.getFileName().toString().endsWith(".log"))
              .sorted()
              .toList();
      List<Path> all = new ArrayList<>(rotated);
      if (Files.exists(log)) {
        all.add(log);
      }
      return all;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the audit logs in " + log.getParent(), e);
    }
  }

  /**
   * One audited request: its verb and object, the client's {@code User-Agent}, when the API server
   * received it, and the status code it answered.
   */
  public record Event(
      String verb,
      String resource,
      String subresource,
      String namespace,
      String name,
      String userAgent,
      Instant received,
      int code) {

    /** Whether the API server accepted the request (a 2xx answer). */
    public boolean accepted() {
      return code >= 200 && code < 300;
    }

    static Event parse(String line) {
      JsonNode event;
      try {
        event = JSON.readTree(line);
      } catch (IOException e) {
        throw new IllegalStateException("not an audit event: " + line, e);
      }
      JsonNode object = event.path("objectRef");
      return new Event(
          event.path("verb").asText(),
          object.path("resource").asText(),
          object.path("subresource").asText(),
          object.path("namespace").asText(),
          object.path("name").asText(),
          event.path("userAgent").asText(),
          Instant.parse(event.path("requestReceivedTimestamp").asText()),
          event.path("responseStatus").path("code").asInt());
    }
  }
}
