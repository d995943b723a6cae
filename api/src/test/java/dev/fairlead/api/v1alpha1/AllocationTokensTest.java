package dev.fairlead.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AllocationTokensTest {

  private static final byte[] KEY = key(0);
  private static final String UID = "6f1c2d3e-0000-4000-8000-000000000001";

  @Test
  void aTokenIsTheHmacSha256OfTheUidAsUnpaddedBase64Url() {
    // Expected values computed independently, with Python's hmac module.
    assertThat(AllocationTokens.of(KEY).tokenFor(allocation(UID)))
        .contains("B3nwKMcc1AFXdiEOSew-Zyyg6NWeQa5Y36U2dxlkH6U");
    assertThat(
            AllocationTokens.of(KEY).tokenFor(allocation("6f1c2d3e-0000-4000-8000-000000000002")))
        .contains("SvdLFo1BTE8vgnwrgQpx81oNCbQ-atw0QhKXjk_TXQs");
  }

  @Test
  void everyReplicaWithTheKeyComputesTheSameToken() {
    assertThat(AllocationTokens.of(key(0)).tokenFor(allocation(UID)))
        .isEqualTo(AllocationTokens.of(key(0)).tokenFor(allocation(UID)));
  }

  @Test
  void aReallocationOfTheSameNameIsANewUidAndSoANewToken() {
    Allocation first = allocation(UID);
    Allocation again = allocation("6f1c2d3e-0000-4000-8000-000000000002");
    again.getMetadata().setName(first.getMetadata().getName());
    assertThat(AllocationTokens.of(KEY).tokenFor(again))
        .isNotEqualTo(AllocationTokens.of(KEY).tokenFor(first));
  }

  @Test
  void anotherKeyGivesAnotherToken() {
    assertThat(AllocationTokens.of(key(1)).tokenFor(allocation(UID)))
        .isNotEqualTo(AllocationTokens.of(KEY).tokenFor(allocation(UID)));
  }

  @Test
  void noKeyOrNoUidGivesNoToken() {
    assertThat(AllocationTokens.none().tokenFor(allocation(UID))).isEmpty();
    assertThat(AllocationTokens.of(KEY).tokenFor(allocation(null))).isEmpty();
    assertThat(AllocationTokens.of(KEY).tokenFor(new Allocation())).isEmpty();
  }

  @Test
  void aShortKeyIsRefused() {
    assertThatThrownBy(() -> AllocationTokens.of(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32 bytes, was 31");
  }

  @Test
  void keysCompareByContentAndNeverShowInText() {
    byte[] key = key(0);
    AllocationTokens tokens = AllocationTokens.of(key);
    key[0] = 42;
    assertThat(tokens)
        .isEqualTo(AllocationTokens.of(key(0)))
        .isNotEqualTo(AllocationTokens.of(key(1)))
        .isNotEqualTo(AllocationTokens.none());
    assertThat(tokens.toString())
        .isEqualTo("AllocationTokens[key of 32 bytes]")
        .doesNotContain(Arrays.toString(KEY));
  }

  private static byte[] key(int offset) {
    byte[] key = new byte[AllocationTokens.KEY_BYTES];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (i + offset);
    }
    return key;
  }

  private static Allocation allocation(String uid) {
    Allocation allocation = new Allocation();
    allocation.setMetadata(
        new ObjectMetaBuilder()
            .withName("game-10-0-2-1-7000-0a2871a3")
            .withNamespace("default")
            .withUid(uid)
            .build());
    return allocation;
  }
}
