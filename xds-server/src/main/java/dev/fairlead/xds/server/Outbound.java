package dev.fairlead.xds.server;

import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * One stream's responses on their way out, in order: each is written when the stream is ready for
 * it ({@link ServerCallStreamObserver#isReady()}) and the server-wide {@link SendBudget} has room,
 * so a response waits as a message sharing the cache's encodings instead of as serialized bytes in
 * Netty's buffers. At most one response per resource type is outstanding at a time, so the queue
 * stays short.
 *
 * <p>Thread-safe: every call on the gRPC observer is made under this object's lock (gRPC's
 * observers are not thread-safe, and responses come from the cache's thread as well as the stream's
 * own).
 */
final class Outbound<T extends MessageLite> implements SendBudget.Sender {

  private final ServerCallStreamObserver<T> call;
  private final SendBudget budget;
  private final Deque<T> queue = new ArrayDeque<>();
  private boolean closed;

  Outbound(ServerCallStreamObserver<T> call, SendBudget budget) {
    this.call = call;
    this.budget = budget;
    call.setOnReadyHandler(this::onReady);
  }

  /** Queues a response and writes what can be written now. */
  void send(T response) {
    synchronized (this) {
      if (closed) {
        return;
      }
      queue.addLast(response);
    }
    drain();
  }

  /** Writes queued responses while the stream is ready and the budget has room. */
  @Override
  public void drain() {
    boolean released = false;
    synchronized (this) {
      while (!closed && !queue.isEmpty() && call.isReady()) {
        T next = queue.peekFirst();
        if (!budget.tryAcquire(this, next.getSerializedSize())) {
          break; // in line: the budget wakes this stream when bytes are released
        }
        queue.pollFirst();
        try {
          call.onNext(next);
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.CANCELLED) {
            throw e;
          }
          closed = true;
          queue.clear();
        }
      }
      // Still ready after writing (small responses): nothing of this stream's is waiting in Netty's
      // buffers.
      released = closed || call.isReady();
    }
    if (released) {
      budget.release(this);
    }
  }

  /** gRPC: the stream's buffered bytes drained; its share of the budget comes back. */
  private void onReady() {
    budget.release(this);
    drain();
  }

  /**
   * Ends the stream with {@code ending} (completing or failing the call), unless it ended already.
   */
  void close(Consumer<ServerCallStreamObserver<T>> ending) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      try {
        ending.accept(call);
      } catch (IllegalStateException | StatusRuntimeException e) {
        // already closed by gRPC (cancelled)
      }
    }
    budget.forget(this);
  }

  /** The stream ended on the client's side: nothing more is written. */
  void cancelled() {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
    budget.forget(this);
  }
}
