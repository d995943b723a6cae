package dev.fairlead.app;

import dev.fairlead.reporter.Rejection;
import dev.fairlead.xds.server.Nack;
import dev.fairlead.xds.translate.Translation;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which objects the proxies' current rejections are about: each rejected Envoy resource is traced back to the
 * objects it was made from ({@link Translation#producersOf}). A state-of-the-world rejection lists every resource
 * of the response, so when Envoy's message names some of them, only those are blamed. Pure.
 */
final class ProxyRejections {

  private ProxyRejections() {
  }

  /** Rejections by {@code Kind namespace/name}: the message of one rejecting proxy, and how many rejected. */
  static Map<String, Rejection> of(Translation translation, List<Nack> nacks) {
    Map<String, Set<String>> proxies = new TreeMap<>();
    Map<String, String> messages = new TreeMap<>();
    for (Nack nack : nacks.stream().sorted(Comparator.comparing(Nack::nodeId)).toList()) {
      for (String resource : blamed(nack)) {
        for (String object : translation.producersOf(nack.fleet(), resource)) {
          proxies.computeIfAbsent(object, o -> new TreeSet<>()).add(nack.nodeId());
          messages.putIfAbsent(object, nack.message());
        }
      }
    }
    Map<String, Rejection> rejections = new TreeMap<>();
    proxies.forEach((object, nodes) -> rejections.put(object, new Rejection(messages.get(object), nodes.size())));
    return rejections;
  }

  private static List<String> blamed(Nack nack) {
    List<String> named = nack.resourceNames().stream().filter(name -> names(nack.message(), name)).toList();
    return named.isEmpty() ? nack.resourceNames() : named;
  }

  /** Whether {@code message} names {@code resource} as a whole token ({@code http-80} is not in {@code http-8080}). */
  private static boolean names(String message, String resource) {
    return java.util.regex.Pattern.compile("(?<![\\w./:-])" + java.util.regex.Pattern.quote(resource) + "(?![\\w./-])")
        .matcher(message).find();
  }
}
