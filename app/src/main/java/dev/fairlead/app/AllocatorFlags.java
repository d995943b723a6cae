package dev.fairlead.app;

import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.allocator.EndpointAllocator;
import dev.fairlead.allocator.UnallocatedStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The flags of the allocation API, as {@link AllocatorOptions}: where it listens, what it answers,
 * how it protects its ports ({@link TransportFlags}) and whom it serves. A picocli mixin of {@code
 * fairlead run}.
 */
final class AllocatorFlags {

  @Option(
      names = "--allocator-address",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_ADDRESS:-127.0.0.1}",
      description =
          "Kubernetes mode: address of the allocation API (gRPC and HTTP). Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_ALLOCATOR_ADDRESS.")
  String allocatorAddress;

  @Option(
      names = "--allocator-grpc-port",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_GRPC_PORT:-18081}",
      description =
          "Kubernetes mode: gRPC port of the allocation API (fairlead.allocation.v1). "
              + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_ALLOCATOR_GRPC_PORT.")
  int allocatorGrpcPort;

  @Option(
      names = "--allocator-http-port",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_HTTP_PORT:-18082}",
      description =
          "Kubernetes mode: HTTP/JSON port of the allocation API. Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_ALLOCATOR_HTTP_PORT.")
  int allocatorHttpPort;

  @Option(
      names = "--allocator-unallocated-status-code",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_UNALLOCATED_STATUS_CODE:-429}",
      description =
          "HTTP status the allocation API answers when nothing is free: 429 or 500-599; the gRPC code "
              + "follows it (429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, ...). Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_ALLOCATOR_UNALLOCATED_STATUS_CODE.")
  String unallocatedStatusCode;

  @Option(
      names = "--allocator-max-ttl",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_MAX_TTL:-24h}",
      description =
          "Kubernetes mode: the longest ttl an allocation request may ask for (longer ones are refused "
              + "with 400/INVALID_ARGUMENT), and how long an allocation requested without a ttl is held: a whole number "
              + "of seconds, minutes or hours such as 3600s, 90m or 24h. Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_ALLOCATOR_MAX_TTL.")
  String allocatorMaxTtl;

  @Option(
      names = "--allocator-tls-cert",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_TLS_CERT}",
      description =
          "Kubernetes mode: PEM certificate chain the allocation API (gRPC and HTTP) presents; re-read when "
              + "it changes. Env: FAIRLEAD_ALLOCATOR_TLS_CERT.")
  Path allocatorTlsCert;

  @Option(
      names = "--allocator-tls-key",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_TLS_KEY}",
      description =
          "Kubernetes mode: PEM (PKCS#8) private key of --allocator-tls-cert; re-read when it changes. "
              + "Env: FAIRLEAD_ALLOCATOR_TLS_KEY.")
  Path allocatorTlsKey;

  @Option(
      names = "--allocator-tls-ca",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_TLS_CA}",
      description =
          "Kubernetes mode: PEM CA certificates; when given, allocation API clients must present a "
              + "certificate signed by one of them. Re-read when it changes. Env: FAIRLEAD_ALLOCATOR_TLS_CA.")
  Path allocatorTlsCa;

  @Option(
      names = "--allocator-token-file",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_TOKEN_FILE}",
      description =
          "Kubernetes mode: a file holding a token every allocation API request must carry "
              + "(Authorization: Bearer <token>); re-read when it changes. Env: FAIRLEAD_ALLOCATOR_TOKEN_FILE.")
  Path allocatorTokenFile;

  @Option(
      names = "--allocator-credentials-secret",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_CREDENTIALS_SECRET:-}",
      description =
          "Kubernetes mode: protect the allocation API with nothing to make: TLS with a certificate of "
              + "Fairlead's own CA (--xds-ca-secret, required) for --allocator-service, and a bearer token Fairlead "
              + "generates at first start. Both are in this Secret of Fairlead's namespace (token, ca.crt) for clients to "
              + "read. Excludes --allocator-tls-*, --allocator-token-file and --allocator-plaintext. "
              + "Env: FAIRLEAD_ALLOCATOR_CREDENTIALS_SECRET.")
  String allocatorCredentialsSecret;

  @Option(
      names = "--allocator-service",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_SERVICE:-}",
      description =
          "Kubernetes mode: the host name clients reach the allocation API at, e.g. the DNS name of "
              + "Fairlead's allocator Service; the certificate of --allocator-credentials-secret names it. "
              + "Env: FAIRLEAD_ALLOCATOR_SERVICE.")
  String allocatorService;

  @Option(
      names = "--allocator-plaintext",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_PLAINTEXT:-false}",
      description =
          "Kubernetes mode: serve the allocation API without TLS. Start-up fails unless this or "
              + "--allocator-tls-cert and --allocator-tls-key are given. Env: FAIRLEAD_ALLOCATOR_PLAINTEXT.")
  boolean allocatorPlaintext;

  /**
   * Made by the first call of {@link #credentials()}: picocli fills the fields, then one thread
   * reads them.
   */
  private AllocatorCredentialsOptions credentials;

  /**
   * The configured "nothing to allocate" status, which standalone mode's routing answers with too.
   *
   * @throws IllegalArgumentException naming the flag when the value is outside 429 and 500-599
   */
  UnallocatedStatus unallocatedStatus() {
    try {
      return UnallocatedStatus.parse(unallocatedStatusCode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--allocator-unallocated-status-code: " + e.getMessage(), e);
    }
  }

  /**
   * @throws IllegalArgumentException naming the flag whose value cannot be used
   */
  AllocatorOptions options() {
    Optional<AllocatorCredentialsOptions> credentials = credentials();
    AllocatorSecurity security =
        credentials.isPresent()
            ? credentials.get().security()
            : AllocatorSecurity.of(
                new TransportFlags(
                        "the allocation API",
                        "allocator",
                        allocatorTlsCert,
                        allocatorTlsKey,
                        allocatorTlsCa,
                        allocatorPlaintext)
                    .transport(),
                Optional.ofNullable(TransportFlags.given(allocatorTokenFile)));
    return new AllocatorOptions(
        allocatorAddress,
        allocatorGrpcPort,
        allocatorHttpPort,
        unallocatedStatus(),
        maxTtl(),
        security);
  }

  /**
   * {@code --allocator-credentials-secret} with the names its certificate carries, made once (its
   * directory is the process's own); empty when the flag is not given.
   *
   * @throws IllegalArgumentException naming the flags when they contradict each other or no name is
   *     given
   */
  Optional<AllocatorCredentialsOptions> credentials() {
    String secret = allocatorCredentialsSecret == null ? "" : allocatorCredentialsSecret.strip();
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    if (credentials == null) {
      if (allocatorPlaintext
          || TransportFlags.given(allocatorTlsCert) != null
          || TransportFlags.given(allocatorTlsKey) != null
          || TransportFlags.given(allocatorTlsCa) != null
          || TransportFlags.given(allocatorTokenFile) != null) {
        throw new IllegalArgumentException(
            "--allocator-credentials-secret excludes --allocator-tls-cert, "
                + "--allocator-tls-key, --allocator-tls-ca, --allocator-token-file and --allocator-plaintext: Fairlead "
                + "makes the certificate and the token itself");
      }
      List<String> names = new ArrayList<>();
      String service = allocatorService == null ? "" : allocatorService.strip();
      if (!service.isEmpty()) {
        names.add(service);
      }
      if (!XdsFlags.WILDCARDS.contains(allocatorAddress) && !names.contains(allocatorAddress)) {
        names.add(allocatorAddress);
      }
      if (names.isEmpty()) {
        throw new IllegalArgumentException(
            "--allocator-credentials-secret needs a name for the allocation API's "
                + "certificate: give --allocator-service (the host clients dial) or an --allocator-address that is not "
                + "a wildcard");
      }
      try {
        credentials =
            new AllocatorCredentialsOptions(
                secret, names, Files.createTempDirectory("fairlead-allocator"));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--allocator-credentials-secret: cannot make a directory for the "
                + "allocation API's certificate under "
                + System.getProperty("java.io.tmpdir")
                + ": "
                + e.getMessage());
      }
    }
    return Optional.of(credentials);
  }

  private Duration maxTtl() {
    Duration maxTtl = wholeUnits("--allocator-max-ttl", allocatorMaxTtl);
    try {
      return EndpointAllocator.checkedMaxTtl(maxTtl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--allocator-max-ttl: " + e.getMessage(), e);
    }
  }

  /**
   * A positive duration of whole seconds, minutes or hours: {@code 3600s}, {@code 90m}, {@code
   * 24h}.
   */
  private static Duration wholeUnits(String flag, String value) {
    if (value == null || !value.matches("[0-9]{1,9}[smh]") || value.matches("0+[smh]")) {
      throw new IllegalArgumentException(
          flag
              + ": expected a positive whole number of seconds, minutes or hours such "
              + "as 3600s, 90m or 24h, was "
              + value);
    }
    long amount = Long.parseLong(value.substring(0, value.length() - 1));
    return switch (value.charAt(value.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }
}
