package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ProxyStatusTableTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eachProxyIsARowSortedByNameWithEveryTypesStateInAlignedColumns() throws Exception {
    String document =
        """
        {"proxies": [
          {"nodeId": "edge-2", "fleet": "default/edge", "stream": 7, "mode": "sotw", "audience": "envoy",
           "types": {
             "CDS": {"acked": "1-a", "sent": "1-a", "rejected": false, "lastNack": null},
             "EDS": {"acked": "1-b", "sent": "2-b", "rejected": false, "lastNack": null},
             "LDS": {"acked": "1-c", "sent": "2-c", "rejected": true,
                     "lastNack": {"version": "2-c", "message": "Address already in use"}},
             "RDS": {"acked": null, "sent": null, "rejected": false, "lastNack": null}}},
          {"nodeId": "edge-1", "fleet": "team-a/gateway", "stream": 3, "mode": "delta", "audience": "envoy",
           "types": {
             "CDS": {"acked": "1-a", "sent": "1-a", "rejected": false},
             "EDS": {"acked": "1-b", "sent": "1-b", "rejected": false},
             "LDS": {"acked": "1-c", "sent": "1-c", "rejected": false},
             "RDS": {"acked": "1-d", "sent": "1-d", "rejected": false}}}
        ]}
        """;

    String table = ProxyStatusTable.format(JSON.readTree(document));

    assertThat(table)
        .isEqualTo(
            """
        NAME     FLEET            MODE    CDS      EDS      LDS      RDS
        edge-1   team-a/gateway   DELTA   SYNCED   SYNCED   SYNCED   SYNCED
        edge-2   default/edge     SOTW    SYNCED   STALE    NACKED   NOT SENT
        """);
  }

  @Test
  void aTypeMissingFromTheDocumentWasNotSentAndNoProxiesLeavesTheHeader() throws Exception {
    assertThat(ProxyStatusTable.state(JSON.readTree("{}"))).isEqualTo("NOT SENT");
    assertThat(ProxyStatusTable.state(JSON.readTree("{\"acked\": null, \"sent\": \"1-a\"}")))
        .isEqualTo("STALE");
    assertThat(ProxyStatusTable.format(JSON.readTree("{\"proxies\": []}")))
        .isEqualTo("NAME   FLEET   MODE   CDS   EDS   LDS   RDS\n");
  }

  @Test
  void proxiesOfEveryReplicaShowTheReplicaTheyAreConnectedToAndThoseLeftOutAreCounted()
      throws Exception {
    String document =
        """
        {"proxies": [
          {"nodeId": "edge-2", "fleet": "default/edge", "stream": 1, "mode": "delta", "replica": "fairlead-b",
           "types": {"CDS": {"acked": "1-a", "sent": "1-a"}, "EDS": {"acked": "1-b", "sent": "1-b"},
                     "LDS": {"acked": "1-c", "sent": "2-c", "rejected": true}, "RDS": {"acked": "1-d", "sent": "1-d"}}},
          {"nodeId": "edge-1", "fleet": "default/edge", "stream": 4, "mode": "sotw", "replica": "fairlead-a",
           "types": {"CDS": {"acked": "1-a", "sent": "1-a"}, "EDS": {"acked": "1-b", "sent": "1-b"},
                     "LDS": {"acked": "2-c", "sent": "2-c"}, "RDS": {"acked": "1-d", "sent": "1-d"}}}
        ], "omitted": 3}
        """;

    assertThat(ProxyStatusTable.format(JSON.readTree(document)))
        .isEqualTo(
            """
        NAME     REPLICA      FLEET          MODE    CDS      EDS      LDS      RDS
        edge-1   fairlead-a   default/edge   SOTW    SYNCED   SYNCED   SYNCED   SYNCED
        edge-2   fairlead-b   default/edge   DELTA   SYNCED   SYNCED   NACKED   SYNCED
        (3 proxies of other replicas not listed: their records hold too many to list)
        """);
  }
}
