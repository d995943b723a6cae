package dev.fairlead.app;

import dev.fairlead.provisioner.CaSecret;
import dev.fairlead.provisioner.ProxyCertificateAuthority;
import dev.fairlead.tls.TlsFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * xDS protected by Fairlead's own CA ({@code --xds-ca-secret}): the CA lives in a Secret of Fairlead's namespace
 * ({@link CaSecret}, created by the first replica to start); at start each replica issues itself a server certificate
 * of it for {@link #serverNames} and writes it, its key and the CA's certificate into {@link #files}' paths, from which
 * the xDS server serves mutual TLS trusting only that CA. The provisioner issues each managed fleet its client
 * certificate from the same CA. So neither the chart nor the user has to make certificates for xDS to be
 * authenticated both ways.
 *
 * <p>The server certificate is valid for {@link ProxyCertificateAuthority#LEAF_VALIDITY} and issued anew at every
 * start of a replica.
 *
 * @param secretName  the CA's Secret, in Fairlead's namespace
 * @param serverNames the DNS names and addresses proxies dial the xDS server by
 * @param files       where the server's certificate, key and the CA's certificate are written (a directory of the
 *                    process's own)
 */
public record XdsCaOptions(String secretName, List<String> serverNames, TlsFiles files) {

  public XdsCaOptions {
    Objects.requireNonNull(secretName, "secretName");
    Objects.requireNonNull(files, "files");
    serverNames = List.copyOf(serverNames);
    if (serverNames.isEmpty()) {
      throw new IllegalArgumentException("the xDS server's certificate needs at least one name");
    }
    if (files.caFile().isEmpty()) {
      throw new IllegalArgumentException("with Fairlead's CA, xDS clients present certificates: a CA file is needed");
    }
  }

  /**
   * Reads (or creates) the CA in {@code namespace}, issues the server certificate and writes the files.
   *
   * @throws IllegalStateException naming the Secret when the CA cannot be had, or the file when it cannot be written
   */
  public ProxyCertificateAuthority prepare(KubernetesClient client, String namespace) {
    ProxyCertificateAuthority ca = CaSecret.readOrCreate(client, namespace, secretName);
    ProxyCertificateAuthority.Issued server = ca.issueServer(serverNames, Instant.now());
    write(files.keyFile(), server.keyPem());
    write(files.certFile(), server.certificatePem());
    write(files.caFile().orElseThrow(), ca.ca().certificatePem());
    return ca;
  }

  /** Writes {@code text} to {@code file}, readable by this user only, replacing it in one step. */
  private static void write(Path file, String text) {
    try {
      Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".xds-tls", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temporary, text, StandardCharsets.US_ASCII);
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + " for the xDS server's TLS: " + e.getMessage(), e);
    }
  }
}
