package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;

/**
 * The one place dependent resources (EDS of a cluster, RDS of a listener) say where to get them:
 * over ADS, v3.
 */
final class Ads {

  /** {@code {ads: {}, resource_api_version: V3}}. */
  static final ConfigSource CONFIG_SOURCE =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  private Ads() {}
}
