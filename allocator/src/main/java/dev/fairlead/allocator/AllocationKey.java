package dev.fairlead.allocator;

import dev.fairlead.api.v1alpha1.AllocationTokens;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key of the allocation tokens ({@link AllocationTokens}), kept in the Secret {@value
 * #SECRET_NAME} of Fairlead's namespace under data key {@value #DATA_KEY}, so that every replica
 * derives the same tokens.
 *
 * <p><b>Race-safe across replicas.</b> A replica reads the Secret; when there is none it creates
 * one with {@value AllocationTokens#KEY_BYTES} fresh random bytes, and when that create answers 409
 * (another replica created it meanwhile) it reads the one that won. The API server keeps names
 * unique, so however many replicas start at once, one key exists and every replica ends up with it.
 * Fairlead never changes or deletes the Secret: deleting it (say, to revoke every token) makes the
 * next replica to start create a new key, and replicas still running keep the old one until they
 * restart — restart them all.
 *
 * <p>A Secret that exists but holds no usable key (no {@value #DATA_KEY}, or fewer than {@value
 * AllocationTokens#KEY_BYTES} bytes) stops start-up with a message naming the Secret and the field:
 * replacing it silently would change every replica's tokens under them. The key is never logged.
 */
public final class AllocationKey {

  public static final String SECRET_NAME = "fairlead-allocation-key";
  public static final String DATA_KEY = "key";
  private static final Logger LOG = LoggerFactory.getLogger(AllocationKey.class);
  private static final int ATTEMPTS = 5;

  private AllocationKey() {}

  /**
   * The tokens under the key of the Secret in {@code namespace}, created when absent.
   *
   * @throws IllegalStateException naming the Secret when it cannot be read or created, or holds no
   *     usable key
   */
  public static AllocationTokens readOrCreate(KubernetesClient client, String namespace) {
    String where = "Secret " + namespace + "/" + SECRET_NAME;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Secret existing =
          call(
              where,
              "read",
              () -> client.secrets().inNamespace(namespace).withName(SECRET_NAME).get());
      if (existing != null) {
        return tokens(existing, where);
      }
      try {
        Secret created =
            client
                .secrets()
                .inNamespace(namespace)
                .resource(
                    new SecretBuilder()
                        .withNewMetadata()
                        .withName(SECRET_NAME)
                        .withNamespace(namespace)
                        .addToLabels("app.kubernetes.io/managed-by", "fairlead")
                        .endMetadata()
                        .withType("Opaque")
                        .withData(Map.of(DATA_KEY, Base64.getEncoder().encodeToString(freshKey())))
                        .build())
                .create();
        LOG.info("Created {} holding the key of allocation tokens", where);
        return tokens(created, where);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw failure(where, "create", e);
        }
        LOG.debug("{} was created by another replica meanwhile; reading it", where);
      }
    }
    throw new IllegalStateException(
        where
            + ": created and deleted again by someone else "
            + ATTEMPTS
            + " times while reading it; cannot settle on a key for allocation tokens");
  }

  private static AllocationTokens tokens(Secret secret, String where) {
    String encoded = secret.getData() == null ? null : secret.getData().get(DATA_KEY);
    if (encoded == null) {
      throw new IllegalStateException(
          where
              + ": data."
              + DATA_KEY
              + " is missing; it must hold at least "
              + AllocationTokens.KEY_BYTES
              + " random bytes (delete the Secret to have Fairlead create one)");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + ": data." + DATA_KEY + " is not base64");
    }
    if (key.length < AllocationTokens.KEY_BYTES) {
      throw new IllegalStateException(
          where
              + ": data."
              + DATA_KEY
              + " holds "
              + key.length
              + " bytes; it must hold "
              + "at least "
              + AllocationTokens.KEY_BYTES
              + " (delete the Secret to have Fairlead create one)");
    }
    return AllocationTokens.of(key);
  }

  private static byte[] freshKey() {
    byte[] key = new byte[AllocationTokens.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return key;
  }

  private interface Call<T> {
    T run();
  }

  private static <T> T call(String where, String what, Call<T> call) {
    try {
      return call.run();
    } catch (KubernetesClientException e) {
      throw failure(where, what, e);
    }
  }

  private static IllegalStateException failure(
      String where, String what, KubernetesClientException e) {
    return new IllegalStateException(
        "cannot "
            + what
            + " "
            + where
            + ", which holds the key of allocation tokens: "
            + AllocationWriter.message(e)
            + (e.getCode() == 403
                ? " (Fairlead's service account needs get and create on " + "that Secret)"
                : ""),
        e);
  }
}
