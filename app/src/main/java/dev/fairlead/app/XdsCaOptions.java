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
import java.util.Optional;

/**
 * xDS protected by Fairlead's own CA ({@code --xds-ca-secret}): the CA lives in a Secret of
 * Fairlead's namespace ({@link CaSecret}, created by the first replica to start); at start each
 * replica issues itself a server certificate of it for {@link #serverNames} and writes it, its key
 * and the CA's certificate into {@link #files}' paths, from which the xDS server serves mutual TLS
 * trusting only that CA. The provisioner issues each managed fleet its client certificate from the
 * same CA. So neither the chart nor the user has to make certificates for xDS to be authenticated
 * both ways.
 *
 * <p>The server certificate is valid for {@link ProxyCertificateAuthority#LEAF_VALIDITY} and issued
 * anew at every start of a replica.
 *
 * @param secretName the CA's Secret, in Fairlead's namespace
 * @param serverNames the DNS names and addresses proxies dial the xDS server by
 * @param files where the server's certificate, key and the CA's certificate are written (a
 *     directory of the process's own)
 * @param allocator the allocation API's certificate of the same CA and its token, when it is
 *     protected that way
 */
public record XdsCaOptions(
    String secretName,
    List<String> serverNames,
    TlsFiles files,
    Optional<AllocatorCredentialsOptions> allocator) {

  public XdsCaOptions {
    Objects.requireNonNull(secretName, "secretName");
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(allocator, "allocator");
    serverNames = List.copyOf(serverNames);
    if (serverNames.isEmpty()) {
      throw new IllegalArgumentException("the xDS server's certificate needs at least one name");
    }
    if (files.caFile().isEmpty()) {
      throw new IllegalArgumentException(
          "with Fairlead's CA, xDS clients present certificates: a CA file is needed");
    }
  }

  public XdsCaOptions(String secretName, List<String> serverNames, TlsFiles files) {
    this(secretName, serverNames, files, Optional.empty());
  }

  /**
   * These options, with the allocation API protected as {@code credentials} say, with the same CA.
   */
  public XdsCaOptions withAllocator(AllocatorCredentialsOptions credentials) {
    return new XdsCaOptions(secretName, serverNames, files, Optional.of(credentials));
  }

  /**
   * Reads (or creates) the CA in {@code namespace}, issues the server certificate and writes the
   * files, and those of the allocation API when {@link #allocator} is present.
   *
   * @throws IllegalStateException naming the Secret when the CA cannot be had, or the file when it
   *     cannot be written
   */
  public ProxyCertificateAuthority prepare(KubernetesClient client, String namespace) {
    ProxyCertificateAuthority ca = CaSecret.readOrCreate(client, namespace, secretName);
    ProxyCertificateAuthority.Issued server = ca.issueServer(serverNames, Instant.now());
    writePrivate(files.keyFile(), server.keyPem());
    writePrivate(files.certFile(), server.certificatePem());
    writePrivate(files.caFile().orElseThrow(), ca.ca().certificatePem());
    allocator.ifPresent(credentials -> credentials.prepare(client, namespace, ca));
    return ca;
  }

  /** Writes {@code text} to {@code file}, readable by this user only, replacing it in one step. */
  static void writePrivate(Path file, String text) {
    try {
      Path temporary =
          Files.createTempFile(
              file.toAbsolutePath().getParent(),
              ".xds-tls",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temporary, text, StandardCharsets.US_ASCII);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
