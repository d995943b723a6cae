package dev.fairlead.bench;

import com.google.protobuf.ByteString;
import dev.fairlead.xds.cache.ResourceType;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Small numbers for the resource names a scenario can ever serve, per type, so that a thousand
 * clients keep what they hold in arrays instead of maps. Built once from the largest state before
 * any client starts, then only read: safe to share between threads.
 */
final class ResourceIds {

  private final Map<ResourceType, Map<String, Integer>> ids = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, String[]> names = new EnumMap<>(ResourceType.class);

  /**
   * The endpoint-assignment id of each cluster id (the ClusterLoadAssignment named like the
   * cluster), or -1.
   */
  private final int[] assignmentOfCluster;

  ResourceIds(ResourceSnapshot universe) {
    for (ResourceType type : ResourceType.values()) {
      Map<String, ByteString> all = universe.encoded().get(type);
      Map<String, Integer> byName = new HashMap<>();
      String[] byId = all.keySet().toArray(String[]::new);
      for (int id = 0; id < byId.length; id++) {
        byName.put(byId[id], id);
      }
      ids.put(type, Map.copyOf(byName));
      names.put(type, byId);
    }
    String[] clusters = names.get(ResourceType.CLUSTER);
    assignmentOfCluster = new int[clusters.length];
    for (int id = 0; id < clusters.length; id++) {
      assignmentOfCluster[id] = id(ResourceType.ENDPOINT, clusters[id]);
    }
  }

  /** The id of a name, or -1 for a name the scenario never serves. */
  int id(ResourceType type, String name) {
    Integer id = ids.get(type).get(name);
    return id == null ? -1 : id;
  }

  String name(ResourceType type, int id) {
    return names.get(type)[id];
  }

  int count(ResourceType type) {
    return names.get(type).length;
  }

  /**
   * Endpoints of an EDS cluster are requested by the cluster's name (no {@code service_name} is
   * set).
   */
  int assignmentOfCluster(int clusterId) {
    return assignmentOfCluster[clusterId];
  }

  List<String> names(ResourceType type, BitSet idSet) {
    return idSet.stream().mapToObj(id -> name(type, id)).toList();
  }
}
