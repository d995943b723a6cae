package dev.fairlead.app;

import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import dev.fairlead.xds.server.ProxyAuthorization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The flags of the xDS server — where it listens and how it protects its port ({@link
 * TransportFlags}) — in both modes: a picocli mixin of {@code fairlead run}.
 */
final class XdsFlags {

  static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]");

  @Option(
      names = "--xds-address",
      defaultValue = "${env:FAIRLEAD_XDS_ADDRESS:-127.0.0.1}",
      description =
          "Address the xDS gRPC server binds to. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_ADDRESS.")
  String xdsAddress;

  @Option(
      names = "--xds-port",
      defaultValue = "${env:FAIRLEAD_XDS_PORT:-18000}",
      description =
          "Port of the xDS gRPC server. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_PORT.")
  int xdsPort;

  @Option(
      names = "--xds-tls-cert",
      defaultValue = "${env:FAIRLEAD_XDS_TLS_CERT}",
      description =
          "PEM certificate chain the xDS server presents; re-read when it changes. "
              + "Env: FAIRLEAD_XDS_TLS_CERT.")
  Path xdsTlsCert;

  @Option(
      names = "--xds-tls-key",
      defaultValue = "${env:FAIRLEAD_XDS_TLS_KEY}",
      description =
          "PEM (PKCS#8) private key of --xds-tls-cert; re-read when it changes. Env: FAIRLEAD_XDS_TLS_KEY.")
  Path xdsTlsKey;

  @Option(
      names = "--xds-tls-ca",
      defaultValue = "${env:FAIRLEAD_XDS_TLS_CA}",
      description =
          "PEM CA certificates; when given, xDS clients must present a certificate signed by one of them. "
              + "Re-read when it changes. Env: FAIRLEAD_XDS_TLS_CA.")
  Path xdsTlsCa;

  @Option(
      names = "--xds-plaintext",
      defaultValue = "${env:FAIRLEAD_XDS_PLAINTEXT:-false}",
      description =
          "Serve xDS without TLS. Start-up fails unless this or --xds-tls-cert and --xds-tls-key are given. "
              + "Env: FAIRLEAD_XDS_PLAINTEXT.")
  boolean xdsPlaintext;

  @Option(
      names = "--xds-ca-secret",
      defaultValue = "${env:FAIRLEAD_XDS_CA_SECRET:-}",
      description =
          "Kubernetes mode: protect xDS with Fairlead's own CA, kept in this Secret of Fairlead's namespace "
              + "and created at first start. Each replica serves mutual TLS with a certificate of that CA for the host of "
              + "--proxy-xds-service (and --xds-address unless it is a wildcard), trusting only that CA, and the "
              + "provisioner gives each managed fleet a client certificate of it carrying its Gateway's identity. Excludes "
              + "--xds-tls-cert, --xds-tls-key, --xds-tls-ca and --xds-plaintext. Env: FAIRLEAD_XDS_CA_SECRET.")
  String xdsCaSecret;

  @Option(
      names = "--xds-proxy-identity",
      defaultValue = "${env:FAIRLEAD_XDS_PROXY_IDENTITY:-}",
      description =
          "required: every xDS client must present a client certificate carrying a Fairlead proxy identity "
              + "(spiffe://fairlead/ns/<namespace>/gateway/<name>) and gets only that Gateway's configuration; optional: "
              + "a client with an identity is still held to it, one without may ask for any node.cluster (Envoys you run "
              + "yourself with certificates that carry none). Default: required when --xds-tls-ca is given, else "
              + "optional. Env: FAIRLEAD_XDS_PROXY_IDENTITY.")
  String xdsProxyIdentity;

  @Option(
      names = "--xds-warm-up",
      defaultValue = "${env:FAIRLEAD_XDS_WARM_UP:-0s}",
      description =
          "How long to run the xDS path hot against simulated proxies on a loopback port before serving, so that "
              + "the first proxies to connect after a start (after a restart: all of them) meet a compiled server: "
              + "whole seconds from 0s (off) to "
              + MAX_WARM_UP_SECONDS
              + "s. Readiness waits for it. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_WARM_UP.")
  String xdsWarmUp;

  /** The longest warm-up {@code --xds-warm-up} takes: beyond it, a start only gets slower. */
  static final int MAX_WARM_UP_SECONDS = 60;

  String address() {
    return xdsAddress;
  }

  int port() {
    return xdsPort;
  }

  /**
   * {@code --xds-warm-up}.
   *
   * @throws IllegalArgumentException saying what the flag takes when it is not a whole number of
   *     seconds from 0s to {@value #MAX_WARM_UP_SECONDS}s
   */
  Duration warmUp() {
    String value = xdsWarmUp == null ? "" : xdsWarmUp.strip();
    if (!value.matches("[0-9]{1,4}s")
        || Integer.parseInt(value.substring(0, value.length() - 1)) > MAX_WARM_UP_SECONDS) {
      throw new IllegalArgumentException(
          "--xds-warm-up: expected a whole number of seconds from 0s (off) to "
              + MAX_WARM_UP_SECONDS
              + "s such as 3s, was '"
              + value
              + "'");
    }
    return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
  }

  /**
   * How the xDS server protects its port.
   *
   * @throws IllegalArgumentException saying what to give when the flags choose neither TLS nor
   *     plaintext, or both
   */
  ServerTransport transport() {
    if (caSecret().isPresent()) {
      throw new IllegalArgumentException(
          "--xds-ca-secret is for Kubernetes mode: with --config-dir give "
              + "--xds-tls-cert and --xds-tls-key, or --xds-plaintext");
    }
    return new TransportFlags(
            "the xDS server", "xds", xdsTlsCert, xdsTlsKey, xdsTlsCa, xdsPlaintext)
        .transport();
  }

  /** {@code --xds-ca-secret}, when given. */
  Optional<String> caSecret() {
    return Optional.ofNullable(xdsCaSecret).map(String::strip).filter(name -> !name.isEmpty());
  }

  /**
   * Kubernetes mode: the xDS CA of {@code --xds-ca-secret} and the TLS transport it makes, or the
   * transport of the other flags when it is not given.
   *
   * @param proxyXdsHost the host of {@code --proxy-xds-service}, which the server's certificate
   *     must name
   * @throws IllegalArgumentException naming the flags when they contradict each other or a name is
   *     missing
   */
  Optional<XdsCaOptions> ca(Optional<String> proxyXdsHost) {
    Optional<String> secret = caSecret();
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    if (xdsPlaintext
        || TransportFlags.given(xdsTlsCert) != null
        || TransportFlags.given(xdsTlsKey) != null
        || TransportFlags.given(xdsTlsCa) != null) {
      throw new IllegalArgumentException(
          "--xds-ca-secret excludes --xds-tls-cert, --xds-tls-key, --xds-tls-ca and "
              + "--xds-plaintext: Fairlead makes the xDS server's certificate itself");
    }
    List<String> names = new ArrayList<>();
    proxyXdsHost.ifPresent(names::add);
    if (!WILDCARDS.contains(xdsAddress) && !names.contains(xdsAddress)) {
      names.add(xdsAddress);
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          "--xds-ca-secret needs a name for the xDS server's certificate: give "
              + "--proxy-xds-service (the host proxies dial) or an --xds-address that is not a wildcard");
    }
    try {
      Path dir = Files.createTempDirectory("fairlead-xds-tls");
      return Optional.of(
          new XdsCaOptions(
              secret.get(),
              names,
              TlsFiles.of(
                  dir.resolve("tls.crt"),
                  dir.resolve("tls.key"),
                  Optional.of(dir.resolve("ca.crt")))));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--xds-ca-secret: cannot make a directory for the xDS server's certificate "
              + "under "
              + System.getProperty("java.io.tmpdir")
              + ": "
              + e.getMessage());
    }
  }

  /**
   * Whether xDS clients must prove a proxy identity: {@code --xds-proxy-identity}, by default
   * required exactly when client certificates are.
   *
   * @throws IllegalArgumentException naming the flag when its value is neither required nor
   *     optional, or is required while the transport asks for no client certificates
   */
  ProxyAuthorization.Mode proxyIdentity(ServerTransport transport) {
    boolean certificates = transport.tls().map(TlsFiles::clientCertificatesRequired).orElse(false);
    String value = xdsProxyIdentity == null ? "" : xdsProxyIdentity.strip();
    if (value.isEmpty()) {
      return certificates ? ProxyAuthorization.Mode.REQUIRED : ProxyAuthorization.Mode.OPTIONAL;
    }
    ProxyAuthorization.Mode mode =
        switch (value) {
          case "required" -> ProxyAuthorization.Mode.REQUIRED;
          case "optional" -> ProxyAuthorization.Mode.OPTIONAL;
          default ->
              throw new IllegalArgumentException(
                  "--xds-proxy-identity: '" + value + "' is neither required nor optional");
        };
    if (mode == ProxyAuthorization.Mode.REQUIRED && !certificates) {
      throw new IllegalArgumentException(
          "--xds-proxy-identity=required needs client certificates: give --xds-tls-ca "
              + "(a proxy proves its identity with a certificate of that CA)");
    }
    return mode;
  }
}
