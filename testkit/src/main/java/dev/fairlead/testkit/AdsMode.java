package dev.fairlead.testkit;

/** How an Envoy speaks ADS: state-of-the-world or delta (incremental). */
public enum AdsMode {
  SOTW("GRPC"),
  DELTA("DELTA_GRPC");

  private final String apiType;

  AdsMode(String apiType) {
    this.apiType = apiType;
  }

  /** The {@code ads_config.api_type} value in Envoy's bootstrap. */
  public String apiType() {
    return apiType;
  }
}
