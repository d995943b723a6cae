package dev.fairlead.bench;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parameters of a generated configuration ({@link BenchConfig}): how many Upstreams, the
 * generation of every cluster (a full push bumps it), the generation of every Upstream's endpoints,
 * per-Upstream endpoint generations that override it (endpoint churn bumps one at a time), and how
 * many endpoints each Upstream has (one, a static host; more, a Service's EndpointSlices). Equal
 * specs generate byte-identical resources, in any process, which is how the driver and a server
 * under test agree on the configuration without shipping it.
 *
 * <p>Immutable. Text form ({@link #encode}/{@link #parse}): {@code
 * upstreams=N;clusters=G;endpoints=G;overrides=i:g,i:g}, then {@code ;width=W} when each Upstream
 * has W > 1 endpoints.
 */
public record StateSpec(
    int upstreams,
    int clusterGeneration,
    int endpointGeneration,
    SortedMap<Integer, Integer> endpointOverrides,
    int endpointsEach) {

  public StateSpec {
    if (upstreams < 1) {
      throw new IllegalArgumentException("a state needs at least one upstream, was " + upstreams);
    }
    if (endpointsEach < 1) {
      throw new IllegalArgumentException(
          "an upstream needs at least one endpoint, was " + endpointsEach);
    }
    endpointOverrides = Collections.unmodifiableSortedMap(new TreeMap<>(endpointOverrides));
  }

  /** {@code upstreams} Upstreams of one endpoint each, everything at generation 0. */
  public static StateSpec of(int upstreams) {
    return of(upstreams, 1);
  }

  /** {@code upstreams} Upstreams of {@code endpointsEach} endpoints, everything at generation 0. */
  public static StateSpec of(int upstreams, int endpointsEach) {
    return new StateSpec(upstreams, 0, 0, new TreeMap<>(), endpointsEach);
  }

  /** The endpoint generation of Upstream {@code index}. */
  public int endpointGenerationOf(int index) {
    return endpointOverrides.getOrDefault(index, endpointGeneration);
  }

  /** This state with Upstream {@code index}'s endpoints at {@code generation}. */
  public StateSpec withEndpoints(int index, int generation) {
    TreeMap<Integer, Integer> overrides = new TreeMap<>(endpointOverrides);
    overrides.put(index, generation);
    return new StateSpec(
        upstreams, clusterGeneration, endpointGeneration, overrides, endpointsEach);
  }

  /**
   * This state with every cluster and every Upstream's endpoints at {@code generation}: a full
   * push.
   */
  public StateSpec withEverythingAt(int generation) {
    return new StateSpec(upstreams, generation, generation, new TreeMap<>(), endpointsEach);
  }

  /** This state with only the first {@code count} Upstreams (and their routes). */
  public StateSpec withUpstreams(int count) {
    TreeMap<Integer, Integer> overrides = new TreeMap<>(endpointOverrides.headMap(count));
    return new StateSpec(count, clusterGeneration, endpointGeneration, overrides, endpointsEach);
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
    if (endpointsEach != 1) {
      text.append(";width=").append(endpointsEach);
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
          overrides,
          Integer.parseInt(fields.getOrDefault("width", "1")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a state spec: '" + text + "': " + e.getMessage(), e);
    }
  }
}
