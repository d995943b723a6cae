package dev.fairlead.allocator;

/**
 * Why an allocation was freed: the reason of the Event recorded on it and the {@code reason} tag of
 * {@code fairlead_allocator_frees_total}. An Upstream that is gone or out of allocation mode frees
 * its allocations as {@link #EndpointGone}: none of its endpoints can be held any more.
 */
enum FreeReason {
  Released,
  Expired,
  EndpointGone
}
