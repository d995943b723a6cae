package dev.fairlead.api.verdict;

import java.util.Objects;
import java.util.Optional;

/**
 * The Gateway (and optionally the listener of it) an HTTPRoute verdict is about: HTTPRoute status
 * holds one entry per parentRef, so each gets its own verdict.
 *
 * @param namespace the Gateway's namespace, defaulted to the route's when the parentRef leaves it
 *     out
 * @param sectionName the listener name the parentRef names, if it names one
 */
public record ParentRef(String namespace, String name, Optional<String> sectionName) {

  public ParentRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sectionName, "sectionName");
  }
}
