package dev.fairlead.allocator;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fairlead.allocation.v1.AllocateRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocation API over HTTP/JSON, on the same semantics and the same messages (in protobuf's JSON form) as the
 * gRPC service:
 * <ul>
 *   <li>{@code POST /v1/namespaces/{ns}/allocations} with an {@code AllocateRequest} body → 201 and the
 *       {@code Allocation};</li>
 *   <li>{@code GET /v1/namespaces/{ns}/allocations/{name}} → 200 and the {@code Allocation};</li>
 *   <li>{@code DELETE /v1/namespaces/{ns}/allocations/{name}} → 200 and the released {@code Allocation};</li>
 *   <li>{@code GET /v1/namespaces/{ns}/allocations?upstream=X} → 200 and a {@code ListResponse}.</li>
 * </ul>
 * Errors are JSON {@code {"code": <http status>, "reason": "...", "message": "..."}}: 400 for an invalid request
 * (the message names the field), 404 for an unknown upstream or allocation, the configured {@link UnallocatedStatus}
 * when nothing is free, 409 for contention unresolved after retries, 500 otherwise; 401 for a request without the
 * {@link BearerToken} when one is required. Handlers run on Vert.x worker threads, unordered, since every call
 * blocks on the API server.
 */
public final class AllocationHttpApi {

  private static final Logger LOG = LoggerFactory.getLogger(AllocationHttpApi.class);
  private static final long MAX_BODY_BYTES = 64 * 1024;

  private final EndpointAllocator allocator;
  private final Optional<BearerToken> token;

  /** The API for {@code allocator}; every request must carry {@code token} when given. */
  public AllocationHttpApi(EndpointAllocator allocator, Optional<BearerToken> token) {
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    this.token = Objects.requireNonNull(token, "token");
  }

  /** A router serving the API under {@code /v1/}. */
  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    token.ifPresent(required -> router.route().handler(ctx -> required.refusal(ctx.request().getHeader("authorization"))
        .ifPresentOrElse(refusal -> {
          ctx.response().putHeader("www-authenticate", "Bearer");
          error(ctx, 401, "Unauthenticated", refusal);
        }, ctx::next)));
    String base = "/v1/namespaces/:ns/allocations";
    router.post(base).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.post(base).blockingHandler(this::allocate, false);
    router.get(base).blockingHandler(ctx -> answer(ctx, 200,
        () -> allocator.list(ctx.pathParam("ns"), query(ctx, "upstream"))), false);
    router.get(base + "/:name").blockingHandler(ctx -> answer(ctx, 200,
        () -> allocator.get(ctx.pathParam("ns"), ctx.pathParam("name"))), false);
    router.delete(base + "/:name").blockingHandler(ctx -> answer(ctx, 200,
        () -> allocator.release(ctx.pathParam("ns"), ctx.pathParam("name"))), false);
    return router;
  }

  private void allocate(RoutingContext ctx) {
    answer(ctx, 201, () -> {
      AllocateRequest.Builder request = AllocateRequest.newBuilder();
      String body = ctx.body().asString();
      if (body != null && !body.isBlank()) {
        try {
          JsonFormat.parser().merge(body, request);
        } catch (InvalidProtocolBufferException e) {
          throw AllocationException.invalid("body", "not an AllocateRequest in JSON: " + e.getMessage());
        }
      }
      String namespace = ctx.pathParam("ns");
      if (!request.getNamespace().isEmpty() && !request.getNamespace().equals(namespace)) {
        throw AllocationException.invalid("namespace",
            "\"" + request.getNamespace() + "\" differs from the path's \"" + namespace + "\"");
      }
      return allocator.allocate(request.setNamespace(namespace).build());
    });
  }

  private static String query(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    return value == null ? "" : value;
  }

  private interface Call {
    Message run();
  }

  private void answer(RoutingContext ctx, int okStatus, Call call) {
    try {
      Message result = call.run();
      ctx.response().setStatusCode(okStatus).putHeader("content-type", "application/json")
          .end(JsonFormat.printer().print(result));
    } catch (AllocationException e) {
      int status = switch (e.failure()) {
        case INVALID_ARGUMENT -> 400;
        case NOT_FOUND -> 404;
        case FAILED_PRECONDITION -> 400;
        case UNALLOCATED -> allocator.unallocatedStatus().httpCode();
        case ABORTED -> 409;
        case INTERNAL -> 500;
      };
      error(ctx, status, e.reason(), e.getMessage());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      LOG.error("Allocation API call {} {} failed unexpectedly", ctx.request().method(), ctx.request().path(), e);
      error(ctx, 500, "InternalError", "internal error: " + e);
    }
  }

  private static void error(RoutingContext ctx, int status, String reason, String message) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("code", status).put("reason", reason).put("message", message).encode());
  }
}
