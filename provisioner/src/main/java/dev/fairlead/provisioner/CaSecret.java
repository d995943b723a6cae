package dev.fairlead.provisioner;

import dev.fairlead.runtime.SharedSecret;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * The Secret that keeps Fairlead's {@link ProxyCertificateAuthority}: data keys {@value
 * #CERTIFICATE_KEY} and {@value #KEY_KEY} (PEM), in Fairlead's own namespace.
 *
 * <p>Race-safe across replicas ({@link SharedSecret}): however many replicas start at once, one CA
 * exists and all of them issue from it. Fairlead never changes or deletes the Secret; deleting it
 * makes the next replica to start create a new CA, after which every replica must restart and every
 * managed fleet gets a new certificate (the provisioner re-issues certificates of another CA).
 *
 * <p>A Secret that exists but holds no usable CA stops start-up with a message naming the Secret
 * and the field: replacing it silently would cut every proxy off. Key material is never logged.
 */
public final class CaSecret {

  public static final String CERTIFICATE_KEY = "ca.crt";
  public static final String KEY_KEY = "ca.key";

  private CaSecret() {}

  /**
   * The CA in Secret {@code namespace/name}, created when absent.
   *
   * @throws IllegalStateException naming the Secret when it cannot be read or created, or holds no
   *     usable CA
   */
  public static ProxyCertificateAuthority readOrCreate(
      KubernetesClient client, String namespace, String name) {
    return SharedSecret.readOrCreate(
        client,
        namespace,
        name,
        "the xDS CA",
        () -> {
          ProxyCertificateAuthority created = ProxyCertificateAuthority.create(Instant.now());
          return Map.of(
              CERTIFICATE_KEY,
              base64(created.ca().certificatePem()),
              KEY_KEY,
              base64(created.ca().keyPem()));
        },
        CaSecret::authority);
  }

  private static ProxyCertificateAuthority authority(Secret secret, String where) {
    String certificate = decoded(secret, CERTIFICATE_KEY, where);
    String key = decoded(secret, KEY_KEY, where);
    try {
      return ProxyCertificateAuthority.of(certificate, key);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          where
              + ": "
              + e.getMessage()
              + " (delete the Secret to have Fairlead create "
              + "a new CA)");
    }
  }

  private static String decoded(Secret secret, String key, String where) {
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    if (encoded == null) {
      throw new IllegalStateException(
          where
              + ": data."
              + key
              + " is missing (delete the Secret to have Fairlead "
              + "create a new CA)");
    }
    try {
      return new String(Base64.getDecoder().decode(encoded), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + ": data." + key + " is not base64");
    }
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
