package dev.fairlead.app;

import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.server.ProxyAuthorization;
import dev.fairlead.xds.translate.TranslatorOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of a standalone Fairlead: where the configuration files are, where and how (TLS or
 * plaintext) xDS is served and whether xDS clients must prove a proxy identity, the address Envoy
 * listeners bind to, where the admin server listens, and the status Envoy answers a request routed
 * by allocation that finds no endpoint; and how file changes are taken up (see {@link
 * dev.fairlead.app.standalone.ConfigDirectory}): the debounce delay after a file event, the
 * periodic rescan, and the grace period a file that disappeared keeps serving in case it is being
 * replaced; and how long the xDS path is warmed up before it serves (zero: not at all).
 */
public record StandaloneOptions(
    Path configDir,
    String xdsAddress,
    int xdsPort,
    ServerTransport xdsTransport,
    String listenerAddress,
    Duration debounce,
    Duration rescanInterval,
    Duration removalGrace,
    AdminOptions admin,
    int unallocatedStatus,
    ProxyAuthorization.Mode xdsProxyIdentity,
    Duration xdsWarmUp) {

  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
  public static final Duration DEFAULT_RESCAN = Duration.ofSeconds(5);

  /**
   * Long enough for a delete-and-write-again save, short enough that a removal still shows
   * promptly.
   */
  public static final Duration DEFAULT_REMOVAL_GRACE = Duration.ofSeconds(2);

  public static StandaloneOptions of(
      Path configDir,
      String xdsAddress,
      int xdsPort,
      ServerTransport xdsTransport,
      String listenerAddress) {
    return new StandaloneOptions(
        configDir,
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        DEFAULT_DEBOUNCE,
        DEFAULT_RESCAN,
        DEFAULT_REMOVAL_GRACE,
        AdminOptions.loopback(),
        TranslatorOptions.DEFAULT_UNALLOCATED_STATUS,
        ProxyAuthorization.Mode.OPTIONAL,
        Duration.ZERO);
  }

  public StandaloneOptions withAdmin(AdminOptions admin) {
    return new StandaloneOptions(
        configDir,
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        debounce,
        rescanInterval,
        removalGrace,
        admin,
        unallocatedStatus,
        xdsProxyIdentity,
        xdsWarmUp);
  }

  public StandaloneOptions withUnallocatedStatus(int status) {
    return new StandaloneOptions(
        configDir,
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        debounce,
        rescanInterval,
        removalGrace,
        admin,
        status,
        xdsProxyIdentity,
        xdsWarmUp);
  }

  /** These settings, binding xDS clients to fleets as {@code identity} says. */
  public StandaloneOptions withXdsProxyIdentity(ProxyAuthorization.Mode identity) {
    return new StandaloneOptions(
        configDir,
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        debounce,
        rescanInterval,
        removalGrace,
        admin,
        unallocatedStatus,
        identity,
        xdsWarmUp);
  }

  /**
   * These settings, warming the xDS path up for {@code warmUp} before serving (zero: not at all).
   */
  public StandaloneOptions withXdsWarmUp(Duration warmUp) {
    return new StandaloneOptions(
        configDir,
        xdsAddress,
        xdsPort,
        xdsTransport,
        listenerAddress,
        debounce,
        rescanInterval,
        removalGrace,
        admin,
        unallocatedStatus,
        xdsProxyIdentity,
        warmUp);
  }
}
