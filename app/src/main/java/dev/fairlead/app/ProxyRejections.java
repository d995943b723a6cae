package dev.fairlead.app;

import dev.fairlead.xds.server.Nack;
import dev.fairlead.xds.translate.Translation;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which objects a proxy's rejection is about: each rejected Envoy resource is traced back to the
 * objects it was made from ({@link Translation#producersOf}). A state-of-the-world rejection lists
 * every resource of the response, so when Envoy's message names some of them, only those are
 * blamed. Pure.
 */
final class ProxyRejections {

  private ProxyRejections() {}

  /** The objects ({@code Kind namespace/name}) one rejection is about, in order. */
  static Set<String> blamedObjects(Translation translation, Nack nack) {
    Set<String> objects = new TreeSet<>();
    for (String resource : blamed(nack)) {
      objects.addAll(translation.producersOf(nack.fleet(), resource));
    }
    return objects;
  }

  private static List<String> blamed(Nack nack) {
    List<String> named =
        nack.resourceNames().stream().filter(name -> names(nack.message(), name)).toList();
    return named.isEmpty() ? nack.resourceNames() : named;
  }

  /**
   * Whether {@code message} names {@code resource} as a whole token ({@code http-80} is not in
   * {@code http-8080}).
   */
  private static boolean names(String message, String resource) {
    return java.util.regex.Pattern.compile(
            "(?<![\\w./:-])" + java.util.regex.Pattern.quote(resource) + "(?![\\w./-])")
        .matcher(message)
        .find();
  }
}
