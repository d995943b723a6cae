package dev.fairlead.app;

import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.allocator.EndpointAllocator;
import dev.fairlead.allocator.UnallocatedStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the allocation API listens (gRPC and HTTP/JSON), what it answers when nothing is free, how
 * long an allocation may be held at most, and how it is protected (TLS or plaintext, bearer token).
 *
 * @param maxTtl the longest {@code ttl} a request may ask for, and how long an allocation without
 *     one is held
 */
public record AllocatorOptions(
    String address,
    int grpcPort,
    int httpPort,
    UnallocatedStatus unallocatedStatus,
    Duration maxTtl,
    AllocatorSecurity security) {

  /**
   * 24 hours: longer than any one session a dedicated endpoint plausibly serves (a match, a test
   * run, a working day), short enough that an endpoint a client forgot, or asked for with a
   * mistaken TTL, returns to the pool within a day.
   */
  public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(24);

  public AllocatorOptions {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(unallocatedStatus, "unallocatedStatus");
    EndpointAllocator.checkedMaxTtl(maxTtl);
    Objects.requireNonNull(security, "security");
  }

  /**
   * On 127.0.0.1, ports chosen by the system, answering 429, protected as {@code security} says:
   * for tests.
   */
  public static AllocatorOptions loopback(AllocatorSecurity security) {
    return new AllocatorOptions(
        "127.0.0.1", 0, 0, UnallocatedStatus.DEFAULT, DEFAULT_MAX_TTL, security);
  }
}
