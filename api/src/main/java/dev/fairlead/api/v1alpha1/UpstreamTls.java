package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** TLS from Envoy to the endpoints. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record UpstreamTls(
    @Size(min = 1, max = 253)
        @JsonPropertyDescription(
            "Server name sent in the TLS handshake (SNI) and checked against the certificate.")
        String sni,
    @JsonPropertyDescription(
            "CA bundle to verify the endpoints' certificates; without it they are not verified.")
        CaBundleRef caBundleRef) {}
