package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * An address an unmanaged fleet is reached at, as the Gateway API writes it in {@code
 * status.addresses}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeclaredAddress(
    @JsonPropertyDescription("IPAddress (default) or Hostname.") Type type,
    @JsonPropertyDescription("The IP address or hostname.") @Required @Size(min = 1, max = 253)
        String value) {

  /** The Gateway API address types an unmanaged fleet can declare. */
  public enum Type {
    IPAddress,
    Hostname
  }
}
