package dev.fairlead.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The xDS servers a scenario runs against, all served the same resources ({@link BenchConfig}).
 *
 * <ul>
 *   <li>{@code fairlead}: Fairlead's real path, {@code ControlPlane.publish} of a generated {@code
 *       ClusterState}: translation, {@code XdsCache}, {@code XdsServer}. Told only the {@link
 *       StateSpec}; it builds the state.
 *   <li>{@code fairlead-cache}: {@code XdsCache.setFleet} with the translated resources, no
 *       translation: the cache-only comparison with the peers below.
 *   <li>{@code stock}: java-control-plane 1.0.49's {@code SimpleCache} and {@code Snapshot} with
 *       the default serializer, behind its own {@code V3DiscoveryServer}.
 *   <li>{@code go}: go-control-plane's {@code LinearCache} per type behind a {@code MuxCache}
 *       ({@code bench/peers/go-control-plane}).
 * </ul>
 *
 * The last three are sent the resources as the driver translated them, serialized (only what
 * changed).
 */
public enum Peer {
  FAIRLEAD(true),
  FAIRLEAD_CACHE(false),
  STOCK(false),
  GO(false);

  private final boolean takesStateSpec;

  Peer(boolean takesStateSpec) {
    this.takesStateSpec = takesStateSpec;
  }

  /** Whether it is told the state spec (and translates itself) rather than sent resources. */
  public boolean takesStateSpec() {
    return takesStateSpec;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The peer whose {@link #label} is {@code label}.
   *
   * @throws IllegalArgumentException naming the peers there are
   */
  public static Peer ofLabel(String label) {
    return Arrays.stream(values())
        .filter(p -> p.label().equals(label))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no peer '"
                        + label
                        + "'; there are "
                        + Arrays.stream(values()).map(Peer::label).toList()));
  }
}
