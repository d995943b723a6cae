package dev.fairlead.xds.translate;

import java.util.List;
import java.util.Optional;

/**
 * The clusters one rule of a route refers to, as its features need them.
 *
 * @param referenced the clusters the rule's requests can go to: its resolved backendRefs of weight
 *     above 0
 * @param mirrors per RequestMirror filter of the rule, in the order of its filters, the cluster its
 *     backendRef resolved to; empty where it did not resolve
 */
record RuleBackends(List<Backend> referenced, List<Optional<Backend>> mirrors) {

  RuleBackends {
    referenced = List.copyOf(referenced);
    mirrors = List.copyOf(mirrors);
  }
}
