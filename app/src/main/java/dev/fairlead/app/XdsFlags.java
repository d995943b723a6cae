package dev.fairlead.app;

import dev.fairlead.tls.ServerTransport;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The flags of the xDS server — where it listens and how it protects its port ({@link TransportFlags}) — in both
 * modes: a picocli mixin of {@code fairlead run}.
 */
final class XdsFlags {

  @Option(names = "--xds-address", defaultValue = "${env:FAIRLEAD_XDS_ADDRESS:-127.0.0.1}",
      description = "Address the xDS gRPC server binds to. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_ADDRESS.")
  String xdsAddress;

  @Option(names = "--xds-port", defaultValue = "${env:FAIRLEAD_XDS_PORT:-18000}",
      description = "Port of the xDS gRPC server. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_PORT.")
  int xdsPort;

  @Option(names = "--xds-tls-cert", defaultValue = "${env:FAIRLEAD_XDS_TLS_CERT}",
      description = "PEM certificate chain the xDS server presents; re-read when it changes. "
          + "Env: FAIRLEAD_XDS_TLS_CERT.")
  Path xdsTlsCert;

  @Option(names = "--xds-tls-key", defaultValue = "${env:FAIRLEAD_XDS_TLS_KEY}",
      description = "PEM (PKCS#8) private key of --xds-tls-cert; re-read when it changes. Env: FAIRLEAD_XDS_TLS_KEY.")
  Path xdsTlsKey;

  @Option(names = "--xds-tls-ca", defaultValue = "${env:FAIRLEAD_XDS_TLS_CA}",
      description = "PEM CA certificates; when given, xDS clients must present a certificate signed by one of them. "
          + "Re-read when it changes. Env: FAIRLEAD_XDS_TLS_CA.")
  Path xdsTlsCa;

  @Option(names = "--xds-plaintext", defaultValue = "${env:FAIRLEAD_XDS_PLAINTEXT:-false}",
      description = "Serve xDS without TLS. Start-up fails unless this or --xds-tls-cert and --xds-tls-key are given. "
          + "Env: FAIRLEAD_XDS_PLAINTEXT.")
  boolean xdsPlaintext;

  String address() {
    return xdsAddress;
  }

  int port() {
    return xdsPort;
  }

  /**
   * How the xDS server protects its port.
   *
   * @throws IllegalArgumentException saying what to give when the flags choose neither TLS nor plaintext, or both
   */
  ServerTransport transport() {
    return new TransportFlags("the xDS server", "xds", xdsTlsCert, xdsTlsKey, xdsTlsCa, xdsPlaintext).transport();
  }
}
