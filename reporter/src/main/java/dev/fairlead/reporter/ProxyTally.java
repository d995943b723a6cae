package dev.fairlead.reporter;

/**
 * How the proxies of every replica hold one object's configuration: {@code connected} proxies are
 * sent it (those connected in the fleets it goes to), {@code holding} of them hold its current
 * configuration and {@code rejected} of them reject it. The object's {@code Programmed} message
 * says "N of M proxies hold its current configuration".
 *
 * @param connected proxies its configuration goes to; at least {@code holding + rejected}
 * @param holding proxies holding its current configuration
 * @param rejected proxies rejecting it
 */
public record ProxyTally(int connected, int holding, int rejected) {

  /** No proxy connected. */
  public static final ProxyTally NONE = new ProxyTally(0, 0, 0);

  public ProxyTally {
    if (holding < 0 || rejected < 0 || holding + rejected > connected) {
      throw new IllegalArgumentException(
          "a tally needs 0 <= holding + rejected <= connected, was "
              + holding
              + " + "
              + rejected
              + " of "
              + connected);
    }
  }

  /** This tally and {@code other}'s, proxy by proxy: the tally of both sets of proxies together. */
  public ProxyTally plus(ProxyTally other) {
    return new ProxyTally(
        connected + other.connected, holding + other.holding, rejected + other.rejected);
  }
}
