package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Envoy's {@code --log-level} values. */
public enum ProxyLogLevel {
  @JsonProperty("trace")
  TRACE,
  @JsonProperty("debug")
  DEBUG,
  @JsonProperty("info")
  INFO,
  @JsonProperty("warning")
  WARNING,
  @JsonProperty("error")
  ERROR,
  @JsonProperty("critical")
  CRITICAL,
  @JsonProperty("off")
  OFF;

  /** The value Envoy's {@code --log-level} takes. */
  public String envoyName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
