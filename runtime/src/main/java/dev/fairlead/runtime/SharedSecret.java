package dev.fairlead.runtime;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Secret of Fairlead's own namespace whose content every replica must agree on (a CA, a token),
 * made by whichever replica starts first.
 *
 * <p><b>Race-safe across replicas</b>: a replica reads the Secret; when there is none it creates
 * one with fresh content, and when that create answers 409 (another replica won) it reads the
 * winner's. However many replicas start at once, one content exists and all of them use it.
 * Fairlead never deletes the Secret; a Secret that exists but whose content is unusable stops
 * start-up with the reader's message naming the Secret, since replacing it silently would change
 * what every replica and client relies on. Content is never logged.
 */
public final class SharedSecret {

  private static final Logger LOG = LoggerFactory.getLogger(SharedSecret.class);
  private static final int ATTEMPTS = 5;

  private SharedSecret() {}

  /**
   * The content of Secret {@code namespace/name}, created with {@code fresh} data when absent.
   *
   * @param holding what the Secret holds, for log lines and messages ("the xDS CA")
   * @param fresh the data (base64 values) of a new Secret
   * @param read what a Secret holds, given the Secret and "Secret namespace/name"; throws {@link
   *     IllegalStateException} naming the field when it holds nothing usable
   * @throws IllegalStateException naming the Secret when it cannot be read or created, or holds
   *     nothing usable
   */
  public static <T> T readOrCreate(
      KubernetesClient client,
      String namespace,
      String name,
      String holding,
      Supplier<Map<String, String>> fresh,
      BiFunction<Secret, String, T> read) {
    String where = "Secret " + namespace + "/" + name;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Secret existing;
      try {
        existing = client.secrets().inNamespace(namespace).withName(name).get();
      } catch (KubernetesClientException e) {
        throw failure(where, "read", holding, e);
      }
      if (existing != null) {
        return read.apply(existing, where);
      }
      try {
        Secret created =
            client
                .secrets()
                .inNamespace(namespace)
                .resource(
                    new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .addToLabels("app.kubernetes.io/managed-by", "fairlead")
                        .endMetadata()
                        .withType("Opaque")
                        .withData(fresh.get())
                        .build())
                .create();
        LOG.info("Created {} holding {}", where, holding);
        return read.apply(created, where);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw failure(where, "create", holding, e);
        }
        LOG.debug("{} was created by another replica meanwhile; reading it", where);
      }
    }
    throw new IllegalStateException(
        where
            + ": created and deleted again by someone else "
            + ATTEMPTS
            + " times while reading it; cannot settle on "
            + holding);
  }

  private static IllegalStateException failure(
      String where, String what, String holding, KubernetesClientException e) {
    return new IllegalStateException(
        "cannot "
            + what
            + " "
            + where
            + ", which holds "
            + holding
            + ": "
            + e.getCode()
            + " "
            + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage())
            + (e.getCode() == 403
                ? " (Fairlead's service account needs get and create on that Secret)"
                : ""),
        e);
  }
}
