package dev.fairlead.app;

import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.provisioner.ProxyCertificateAuthority;
import dev.fairlead.runtime.SharedSecret;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocation API protected with nothing for the user to make ({@code
 * --allocator-credentials-secret}): it serves TLS with a certificate of Fairlead's own CA ({@link
 * XdsCaOptions}) for {@link #serverNames}, issued at each start, and every request must carry a
 * bearer token Fairlead generates at first start. Both live in the Secret {@link #secretName} of
 * Fairlead's namespace, which is what a client needs: {@value #TOKEN_KEY} (send it as {@code
 * Authorization: Bearer <token>}) and {@value #CA_KEY} (the certificate to trust) — never the CA's
 * key.
 *
 * <p>The Secret is made race-safe across replicas ({@link SharedSecret}); Fairlead keeps its
 * {@value #CA_KEY} equal to the CA's certificate (it changes only when the CA's Secret is replaced)
 * and never changes the token: delete the Secret and restart every replica to have a new token
 * made.
 *
 * @param secretName the Secret clients read the token and the CA certificate from
 * @param serverNames the DNS names and addresses clients reach the allocation API by
 * @param dir a directory of the process's own where the server's certificate, its key and the token
 *     are written for the allocation API to read
 */
public record AllocatorCredentialsOptions(String secretName, List<String> serverNames, Path dir) {

  public static final String TOKEN_KEY = "token";
  public static final String CA_KEY = "ca.crt";
  private static final Logger LOG = LoggerFactory.getLogger(AllocatorCredentialsOptions.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int TOKEN_BYTES = 32;

  public AllocatorCredentialsOptions {
    Objects.requireNonNull(secretName, "secretName");
    Objects.requireNonNull(dir, "dir");
    serverNames = List.copyOf(serverNames);
    if (serverNames.isEmpty()) {
      throw new IllegalArgumentException(
          "the allocation API's certificate needs at least one name");
    }
  }

  /** How the allocation API protects its ports: TLS from, and the token in, {@link #dir}. */
  public AllocatorSecurity security() {
    return AllocatorSecurity.of(
        ServerTransport.tls(
            TlsFiles.of(dir.resolve("tls.crt"), dir.resolve("tls.key"), Optional.empty())),
        Optional.of(dir.resolve(TOKEN_KEY)));
  }

  /**
   * Reads (or creates) the Secret in {@code namespace}, keeps its CA certificate current, issues
   * the server certificate of {@code ca} and writes the files {@link #security()} names.
   *
   * @throws IllegalStateException naming the Secret and field when it holds no usable token
   */
  void prepare(KubernetesClient client, String namespace, ProxyCertificateAuthority ca) {
    String caPem = ca.ca().certificatePem();
    Secret secret =
        SharedSecret.readOrCreate(
            client,
            namespace,
            secretName,
            "the allocation API's token",
            () -> Map.of(TOKEN_KEY, base64(freshToken()), CA_KEY, base64(caPem)),
            AllocatorCredentialsOptions::checked);
    if (!base64(caPem).equals(secret.getData().get(CA_KEY))) {
      client
          .secrets()
          .inNamespace(namespace)
          .withName(secretName)
          .edit(
              current -> {
                current.getData().put(CA_KEY, base64(caPem));
                return current;
              });
      LOG.info(
          "Secret {}/{}: {} is now the certificate of the current CA",
          namespace,
          secretName,
          CA_KEY);
    }
    String token =
        new String(
            Base64.getDecoder().decode(secret.getData().get(TOKEN_KEY)), StandardCharsets.US_ASCII);
    ProxyCertificateAuthority.Issued server = ca.issueServer(serverNames, Instant.now());
    XdsCaOptions.writePrivate(dir.resolve("tls.key"), server.keyPem());
    XdsCaOptions.writePrivate(dir.resolve("tls.crt"), server.certificatePem());
    XdsCaOptions.writePrivate(dir.resolve(TOKEN_KEY), token);
  }

  private static Secret checked(Secret secret, String where) {
    String encoded = secret.getData() == null ? null : secret.getData().get(TOKEN_KEY);
    boolean usable;
    try {
      usable =
          encoded != null
              && !new String(Base64.getDecoder().decode(encoded), StandardCharsets.US_ASCII)
                  .isBlank();
    } catch (IllegalArgumentException e) {
      usable = false;
    }
    if (!usable) {
      throw new IllegalStateException(
          where
              + ": data."
              + TOKEN_KEY
              + " is missing or empty (delete the Secret to "
              + "have Fairlead create a new token)");
    }
    return secret;
  }

  private static String freshToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
