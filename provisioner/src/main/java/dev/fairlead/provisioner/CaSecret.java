package dev.fairlead.provisioner;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Secret that keeps Fairlead's {@link ProxyCertificateAuthority}: data keys {@value #CERTIFICATE_KEY} and
 * {@value #KEY_KEY} (PEM), in Fairlead's own namespace.
 *
 * <p><b>Race-safe across replicas</b>, like the allocation key's Secret: a replica reads the Secret; when there is
 * none it creates one holding a new CA, and when that create answers 409 (another replica won) it reads the winner's.
 * However many replicas start at once, one CA exists and all of them issue from it. Fairlead never changes or deletes
 * the Secret; deleting it makes the next replica to start create a new CA, after which every replica must restart and
 * every managed fleet gets a new certificate (the provisioner re-issues certificates of another CA).
 *
 * <p>A Secret that exists but holds no usable CA stops start-up with a message naming the Secret and the field:
 * replacing it silently would cut every proxy off. Key material is never logged.
 */
public final class CaSecret {

  public static final String CERTIFICATE_KEY = "ca.crt";
  public static final String KEY_KEY = "ca.key";
  private static final Logger LOG = LoggerFactory.getLogger(CaSecret.class);
  private static final int ATTEMPTS = 5;

  private CaSecret() {
  }

  /**
   * The CA in Secret {@code namespace/name}, created when absent.
   *
   * @throws IllegalStateException naming the Secret when it cannot be read or created, or holds no usable CA
   */
  public static ProxyCertificateAuthority readOrCreate(KubernetesClient client, String namespace, String name) {
    String where = "Secret " + namespace + "/" + name;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Secret existing;
      try {
        existing = client.secrets().inNamespace(namespace).withName(name).get();
      } catch (KubernetesClientException e) {
        throw failure(where, "read", e);
      }
      if (existing != null) {
        return authority(existing, where);
      }
      ProxyCertificateAuthority created = ProxyCertificateAuthority.create(Instant.now());
      try {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder()
            .withNewMetadata().withName(name).withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "fairlead").endMetadata()
            .withType("Opaque")
            .withData(Map.of(CERTIFICATE_KEY, base64(created.ca().certificatePem()),
                KEY_KEY, base64(created.ca().keyPem())))
            .build()).create();
        LOG.info("Created {} holding the xDS CA, {}", where, created.ca());
        return created;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw failure(where, "create", e);
        }
        LOG.debug("{} was created by another replica meanwhile; reading it", where);
      }
    }
    throw new IllegalStateException(where + ": created and deleted again by someone else " + ATTEMPTS
        + " times while reading it; cannot settle on an xDS CA");
  }

  private static ProxyCertificateAuthority authority(Secret secret, String where) {
    String certificate = decoded(secret, CERTIFICATE_KEY, where);
    String key = decoded(secret, KEY_KEY, where);
    try {
      ProxyCertificateAuthority authority = ProxyCertificateAuthority.of(certificate, key);
      LOG.info("Using the xDS CA of {}, {}", where, authority.ca());
      return authority;
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + ": " + e.getMessage() + " (delete the Secret to have Fairlead create "
          + "a new CA)");
    }
  }

  private static String decoded(Secret secret, String key, String where) {
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    if (encoded == null) {
      throw new IllegalStateException(where + ": data." + key + " is missing (delete the Secret to have Fairlead "
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

  private static IllegalStateException failure(String where, String what, KubernetesClientException e) {
    return new IllegalStateException("cannot " + what + " " + where + ", which holds the xDS CA: " + e.getCode() + " "
        + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()) + (e.getCode() == 403 ? " (Fairlead's service account needs get and create on "
        + "that Secret)" : ""), e);
  }
}
