package dev.fairlead.allocator;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fairlead.allocation.v1.AllocateRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocation API over HTTP/JSON, on the same semantics and the same messages (in protobuf's
 * JSON form) as the gRPC service:
 *
 * <ul>
 *   <li>{@code POST /v1/namespaces/{ns}/allocations} with an {@code AllocateRequest} body → 201 and
 *       the {@code Allocation};
 *   <li>{@code GET /v1/namespaces/{ns}/allocations/{name}} → 200 and the {@code Allocation};
 *   <li>{@code DELETE /v1/namespaces/{ns}/allocations/{name}} → 200 and the released {@code
 *       Allocation};
 *   <li>{@code GET /v1/namespaces/{ns}/allocations?upstream=X} → 200 and a {@code ListResponse}.
 * </ul>
 *
 * Every error, whichever part of the server answers it, is JSON {@code {"code": <http status>,
 * "reason": "...", "message": "..."}} whose message begins with the field it is about ({@code ttl:
 * …}, {@code body: …}, {@code content-type: …}, {@code path: …}, {@code method: …}, {@code request:
 * …} for the request as a whole) and never carries a class name: 400 for an invalid request, 404
 * for an unknown upstream, allocation or path, 405 for a method a path does not take, 413 for a
 * body over 64 KiB, 415 for a body that is not {@code application/json}, the configured {@link
 * UnallocatedStatus} when nothing is free, 409 for contention unresolved after retries, 500 for a
 * fault of the server (the only answer logged at ERROR); 401 for a request without the {@link
 * BearerToken} when one is required. Handlers run on Vert.x worker threads, unordered, since every
 * call blocks on the API server.
 */
public final class AllocationHttpApi {

  private static final Logger LOG = LoggerFactory.getLogger(AllocationHttpApi.class);
  private static final long MAX_BODY_BYTES = 64 * 1024;
  private static final String BASE = "/v1/namespaces/:ns/allocations";
  private static final String BASE_DOC = "/v1/namespaces/{ns}/allocations";
  private static final String INTERNAL_ERROR = "internal error; the server's log says more";

  private final EndpointAllocator allocator;
  private final Optional<BearerToken> token;

  /** The API for {@code allocator}; every request must carry {@code token} when given. */
  public AllocationHttpApi(EndpointAllocator allocator, Optional<BearerToken> token) {
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    this.token = Objects.requireNonNull(token, "token");
  }

  /**
   * A router serving the API under {@code /v1/}; every other path and method is answered with a
   * JSON error.
   */
  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    token.ifPresent(
        required ->
            router
                .route()
                .handler(
                    ctx ->
                        required
                            .refusal(ctx.request().getHeader("authorization"))
                            .ifPresentOrElse(
                                refusal -> {
                                  ctx.response().putHeader("www-authenticate", "Bearer");
                                  error(ctx, 401, "Unauthenticated", refusal);
                                },
                                ctx::next)));
    router.post(BASE).handler(AllocationHttpApi::requireJson);
    router.post(BASE).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.post(BASE).blockingHandler(this::allocate, false);
    router
        .get(BASE)
        .blockingHandler(
            ctx ->
                answer(ctx, 200, () -> allocator.list(ctx.pathParam("ns"), query(ctx, "upstream"))),
            false);
    router
        .get(BASE + "/:name")
        .blockingHandler(
            ctx ->
                answer(ctx, 200, () -> allocator.get(ctx.pathParam("ns"), ctx.pathParam("name"))),
            false);
    router
        .delete(BASE + "/:name")
        .blockingHandler(
            ctx ->
                answer(
                    ctx, 200, () -> allocator.release(ctx.pathParam("ns"), ctx.pathParam("name"))),
            false);
    router.route().failureHandler(AllocationHttpApi::failed);
    router.errorHandler(
        404,
        ctx ->
            error(
                ctx,
                404,
                "NotFound",
                "path: no resource at "
                    + ctx.request().path()
                    + "; the API serves "
                    + BASE_DOC
                    + " (GET, POST) and "
                    + BASE_DOC
                    + "/{name} (GET, DELETE)"));
    router.errorHandler(
        405,
        ctx ->
            error(
                ctx,
                405,
                "MethodNotAllowed",
                "method: "
                    + ctx.request().method()
                    + " is not allowed on "
                    + ctx.request().path()
                    + "; "
                    + BASE_DOC
                    + " takes GET and POST, "
                    + BASE_DOC
                    + "/{name} GET and DELETE"));
    return router;
  }

  /**
   * Refuses a body that is not JSON before reading it: a form or text body would otherwise pass as
   * empty.
   */
  private static void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (mediaType.equals("application/json")) {
      ctx.next();
    } else {
      error(
          ctx,
          415,
          "UnsupportedMediaType",
          "content-type: must be application/json, was "
              + (type == null ? "absent" : "\"" + type + "\""));
    }
  }

  /**
   * Every failure a handler signalled rather than answered: the body handler's 413, or an exception
   * that escaped a handler. A client's error is answered and logged at DEBUG at most; only a fault
   * of the server logs an ERROR.
   */
  private static void failed(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status =
        ctx.statusCode() != -1
            ? ctx.statusCode()
            : failure instanceof HttpException http ? http.getStatusCode() : 500;
    if (status >= 500) {
      LOG.error(
          "Allocation API call {} {} failed unexpectedly",
          ctx.request().method(),
          ctx.request().path(),
          failure);
      error(ctx, 500, "InternalError", INTERNAL_ERROR);
      return;
    }
    LOG.debug(
        "Allocation API call {} {} refused with {}",
        ctx.request().method(),
        ctx.request().path(),
        status);
    if (status == 413) {
      error(
          ctx, 413, "BodyTooLarge", "body: larger than the limit of " + MAX_BODY_BYTES + " bytes");
    } else {
      String phrase = HttpResponseStatus.valueOf(status).reasonPhrase();
      error(ctx, status, phrase.replace(" ", ""), "request: refused as " + status + " " + phrase);
    }
  }

  private void allocate(RoutingContext ctx) {
    answer(
        ctx,
        201,
        () -> {
          AllocateRequest request = AllocateRequestJson.parse(ctx.body().asString());
          String namespace = ctx.pathParam("ns");
          if (!request.getNamespace().isEmpty() && !request.getNamespace().equals(namespace)) {
            throw AllocationException.invalid(
                "namespace",
                "\"" + request.getNamespace() + "\" differs from the path's \"" + namespace + "\"");
          }
          return allocator.allocate(request.toBuilder().setNamespace(namespace).build());
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
      ctx.response()
          .setStatusCode(okStatus)
          .putHeader("content-type", "application/json")
          .end(JsonFormat.printer().print(result));
    } catch (AllocationException e) {
      int status =
          switch (e.failure()) {
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            case FAILED_PRECONDITION -> 400;
            case UNALLOCATED -> allocator.unallocatedStatus().httpCode();
            case ABORTED -> 409;
            case INTERNAL -> 500;
          };
      error(ctx, status, e.reason(), e.getMessage());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      LOG.error(
          "Allocation API call {} {} failed unexpectedly",
          ctx.request().method(),
          ctx.request().path(),
          e);
      error(ctx, 500, "InternalError", INTERNAL_ERROR);
    }
  }

  private static void error(RoutingContext ctx, int status, String reason, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(
            new JsonObject()
                .put("code", status)
                .put("reason", reason)
                .put("message", message)
                .encode());
  }
}
