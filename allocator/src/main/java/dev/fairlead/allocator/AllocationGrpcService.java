package dev.fairlead.allocator;

import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocation.v1.Allocation;
import dev.fairlead.allocation.v1.AllocatorGrpc;
import dev.fairlead.allocation.v1.GetRequest;
import dev.fairlead.allocation.v1.ListRequest;
import dev.fairlead.allocation.v1.ListResponse;
import dev.fairlead.allocation.v1.ReleaseRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fairlead.allocation.v1.Allocator} over gRPC: each call is one {@link EndpointAllocator}
 * call, and an {@link AllocationException} becomes the gRPC status its failure maps to (the
 * unallocated one from {@link UnallocatedStatus#grpcCode()}), with the reason and the message
 * (which names the field) as description. A fault of the server is INTERNAL without its details,
 * which go to the log at ERROR. Calls run on gRPC's executor, which may block.
 */
public final class AllocationGrpcService extends AllocatorGrpc.AllocatorImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(AllocationGrpcService.class);

  private final EndpointAllocator allocator;

  public AllocationGrpcService(EndpointAllocator allocator) {
    this.allocator = Objects.requireNonNull(allocator, "allocator");
  }

  @Override
  public void allocate(AllocateRequest request, StreamObserver<Allocation> response) {
    answer(response, () -> allocator.allocate(request));
  }

  @Override
  public void release(ReleaseRequest request, StreamObserver<Allocation> response) {
    answer(response, () -> allocator.release(request.getNamespace(), request.getName()));
  }

  @Override
  public void get(GetRequest request, StreamObserver<Allocation> response) {
    answer(response, () -> allocator.get(request.getNamespace(), request.getName()));
  }

  @Override
  public void list(ListRequest request, StreamObserver<ListResponse> response) {
    answer(response, () -> allocator.list(request.getNamespace(), request.getUpstream()));
  }

  private <T> void answer(StreamObserver<T> response, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (AllocationException e) {
      response.onError(status(e, allocator.unallocatedStatus()).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      LOG.error("Allocation API call failed unexpectedly", e);
      response.onError(
          Status.INTERNAL
              .withDescription("InternalError: internal error; the server's log says more")
              .asRuntimeException());
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  /** The gRPC status of a failure. */
  static Status status(AllocationException e, UnallocatedStatus unallocated) {
    Status.Code code =
        switch (e.failure()) {
          case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
          case NOT_FOUND -> Status.Code.NOT_FOUND;
          case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
          case UNALLOCATED -> unallocated.grpcCode();
          case ABORTED -> Status.Code.ABORTED;
          case INTERNAL -> Status.Code.INTERNAL;
        };
    return Status.fromCode(code).withDescription(e.reason() + ": " + e.getMessage());
  }
}
