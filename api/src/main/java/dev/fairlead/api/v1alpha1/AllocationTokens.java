package dev.fairlead.api.v1alpha1;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret that only an allocation's holder knows: the token the allocator answers an allocate
 * call with and the gateway checks on every request pinned to that allocation.
 *
 * <p>A token is HMAC-SHA256, under a key Fairlead keeps in a Secret, of the Allocation object's
 * UID, written as unpadded base64url (43 characters). Deriving it instead of storing it means every
 * replica computes the same token from the key and the Allocation it sees, without writing the
 * token anywhere the Allocation's readers could read it. The UID is what makes it per allocation: a
 * released endpoint allocated again is a new object with a new UID, so the old holder's token
 * matches nothing once its Allocation is gone, even though the new Allocation has the same name.
 * Without the key the token cannot be computed from the UID, which anyone who may read Allocations
 * sees.
 *
 * <p>{@link #none()} has no key and gives no tokens: what a translator without a key uses, so that
 * no pinned request passes.
 *
 * <p>Immutable and thread-safe (a {@link Mac} is made per token, as Macs are not thread-safe).
 */
public final class AllocationTokens {

  /**
   * The length of a key {@link #of} accepts at least, and of a key Fairlead generates: SHA-256's
   * block of output.
   */
  public static final int KEY_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";
  private static final AllocationTokens NONE = new AllocationTokens(new byte[0]);

  private final byte[] key;

  private AllocationTokens(byte[] key) {
    this.key = key;
  }

  /**
   * Tokens under {@code key}.
   *
   * @throws IllegalArgumentException when the key is shorter than {@value #KEY_BYTES} bytes
   */
  public static AllocationTokens of(byte[] key) {
    if (key.length < KEY_BYTES) {
      throw new IllegalArgumentException(
          "an allocation key must be at least " + KEY_BYTES + " bytes, was " + key.length);
    }
    return new AllocationTokens(key.clone());
  }

  /** No key: {@link #tokenFor} is always empty. */
  public static AllocationTokens none() {
    return NONE;
  }

  /**
   * The token of {@code allocation}; empty without a key or without a UID (an object not created
   * yet).
   */
  public Optional<String> tokenFor(Allocation allocation) {
    String uid = allocation.getMetadata() == null ? null : allocation.getMetadata().getUid();
    if (key.length == 0 || uid == null || uid.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(token(uid));
  }

  private String token(String uid) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(uid.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is missing from this JVM", e);
    }
  }

  /** Equal when the keys are, compared in time independent of where they differ. */
  @Override
  public boolean equals(Object other) {
    return other instanceof AllocationTokens tokens && MessageDigest.isEqual(key, tokens.key);
  }

  @Override
  public int hashCode() {
    return key.length;
  }

  /** Never the key. */
  @Override
  public String toString() {
    return key.length == 0
        ? "AllocationTokens[no key]"
        : "AllocationTokens[key of " + key.length + " bytes]";
  }
}
