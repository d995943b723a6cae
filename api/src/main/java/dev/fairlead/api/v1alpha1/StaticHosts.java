package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** A fixed list of hosts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StaticHosts(
    @Required @Size(min = 1, max = 1000) @JsonPropertyDescription("The hosts, at least one.")
        List<StaticHost> hosts) {

  public StaticHosts {
    hosts = hosts == null ? null : List.copyOf(hosts);
  }
}
