package dev.fairlead.app;

import dev.fairlead.allocator.UnallocatedStatus;
import java.util.Objects;

/** Where the allocation API listens (gRPC and HTTP/JSON) and what it answers when nothing is free. */
public record AllocatorOptions(String address, int grpcPort, int httpPort, UnallocatedStatus unallocatedStatus) {

  public AllocatorOptions {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(unallocatedStatus, "unallocatedStatus");
  }

  /** On 127.0.0.1, ports chosen by the system, answering 429: for tests. */
  public static AllocatorOptions loopback() {
    return new AllocatorOptions("127.0.0.1", 0, 0, UnallocatedStatus.DEFAULT);
  }
}
