package dev.fairlead.app;

import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.allocator.UnallocatedStatus;
import java.util.Objects;

/**
 * Where the allocation API listens (gRPC and HTTP/JSON), what it answers when nothing is free, and how it is
 * protected (TLS or plaintext, bearer token).
 */
public record AllocatorOptions(String address, int grpcPort, int httpPort, UnallocatedStatus unallocatedStatus,
    AllocatorSecurity security) {

  public AllocatorOptions {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(unallocatedStatus, "unallocatedStatus");
    Objects.requireNonNull(security, "security");
  }

  /** On 127.0.0.1, ports chosen by the system, answering 429, protected as {@code security} says: for tests. */
  public static AllocatorOptions loopback(AllocatorSecurity security) {
    return new AllocatorOptions("127.0.0.1", 0, 0, UnallocatedStatus.DEFAULT, security);
  }
}
