package dev.fairlead.bench;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parameters of a generated configuration ({@link BenchConfig}): how many Upstreams, the
 * generation of every cluster (a full push bumps it), the generation of every Upstream's endpoints,
 * and per-Upstream endpoint generations that override it (endpoint churn bumps one at a time).
 * Equal specs generate byte-identical resources, in any process, which is how the driver and a
 * server under test agree on the configuration without shipping it.
 *
 * <p>Immutable. Text form ({@link #encode}/{@link #parse}): {@code
 * upstreams=N;clusters=G;endpoints=G;overrides=i:g,i:g}.
 */
public record StateSpec(
    int upstreams,
    int clusterGeneration,
    int endpointGeneration,
    SortedMap<Integer, Integer> endpointOverrides) {

  public StateSpec {
    if (upstreams < 1) {
      throw new IllegalArgumentException("a state needs at least one upstream, was " + upstreams);
    }
    endpointOverrides = Collections.unmodifiableSortedMap(new TreeMap<>(endpointOverrides));
  }

  /** {@code upstreams} Upstreams, everything at generation 0. */
  public static StateSpec of(int upstreams) {
    return new StateSpec(upstreams, 0, 0, new TreeMap<>());
  }

  /** The endpoint generation of Upstream {@code index}. */
  public int endpointGenerationOf(int index) {
    return endpointOverrides.getOrDefault(index, endpointGeneration);
  }

  /** This state with Upstream {@code index}'s endpoints at {@code generation}. */
  public StateSpec withEndpoints(int index, int generation) {
    TreeMap<Integer, Integer> overrides = new TreeMap<>(endpointOverrides);
    overrides.put(index, generation);
    return new StateSpec(upstreams, clusterGeneration, endpointGeneration, overrides);
  }

  /**
   * This state with every cluster and every Upstream's endpoints at {@code generation}: a full
   * push.
   */
  public StateSpec withEverythingAt(int generation) {
    return new StateSpec(upstreams, generation, generation, new TreeMap<>());
  }

  /** This state with only the first {@code count} Upstreams (and their routes). */
  public StateSpec withUpstreams(int count) {
    TreeMap<Integer, Integer> overrides = new TreeMap<>(endpointOverrides.headMap(count));
    return new StateSpec(count, clusterGeneration, endpointGeneration, overrides);
  }

  public String encode() {
    StringBuilder text =
        new StringBuilder()
            .append("upstreams=")
            .append(upstreams)
            .append(";clusters=")
            .append(clusterGeneration)
            .append(";endpoints=")
            .append(endpointGeneration)
            .append(";overrides=");
    String separator = "";
    for (Map.Entry<Integer, Integer> override : endpointOverrides.entrySet()) {
      text.append(separator).append(override.getKey()).append(':').append(override.getValue());
      separator = ",";
    }
    return text.toString();
  }

  /**
   * Reads what {@link #encode} wrote.
   *
   * @throws IllegalArgumentException for text {@link #encode} did not write, quoting it
   */
  public static StateSpec parse(String text) {
    try {
      Map<String, String> fields = new TreeMap<>();
      for (String field : text.split(";")) {
        int equals = field.indexOf('=');
        fields.put(field.substring(0, equals), field.substring(equals + 1));
      }
      TreeMap<Integer, Integer> overrides = new TreeMap<>();
      String listed = fields.getOrDefault("overrides", "");
      if (!listed.isEmpty()) {
        for (String override : listed.split(",")) {
          int colon = override.indexOf(':');
          overrides.put(
              Integer.parseInt(override.substring(0, colon)),
              Integer.parseInt(override.substring(colon + 1)));
        }
      }
      return new StateSpec(
          Integer.parseInt(fields.get("upstreams")),
          Integer.parseInt(fields.get("clusters")),
          Integer.parseInt(fields.get("endpoints")),
          overrides);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a state spec: '" + text + "': " + e.getMessage(), e);
    }
  }
}
