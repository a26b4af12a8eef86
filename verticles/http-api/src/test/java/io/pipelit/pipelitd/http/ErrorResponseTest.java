package io.pipelit.pipelitd.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.http.ErrorResponse.LogLevel;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.handler.HttpException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The single failure-to-answer mapping, without a server. */
class ErrorResponseTest {
  private static final long LIMIT = 4096;

  private static ErrorResponse of(Throwable failure) {
    return ErrorResponse.of(500, failure, LIMIT);
  }

  private static ReplyException storeFailure(ErrorCode code, String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code.value(), message);
  }

  @ParameterizedTest
  @EnumSource(value = ErrorCode.class, names = {"INTERNAL", "OVERLOADED", "INSUFFICIENT_STORAGE"}, mode = EnumSource.Mode.EXCLUDE)
  void everyClientFacingCodeKeepsItsStatusAndDetail(ErrorCode code) {
    ErrorResponse response = of(storeFailure(code, "the detail"));

    assertEquals(code.httpStatus(), response.status());
    assertEquals("the detail", response.detail());
    assertEquals(LogLevel.NONE, response.logLevel());
  }

  @Test
  void overloadedAsksToRetryAfterOneSecond() {
    ErrorResponse response = of(storeFailure(ErrorCode.OVERLOADED, "Write queue full."));

    assertEquals(503, response.status());
    assertEquals(Map.of("Retry-After", "1"), response.headers());
  }

  @Test
  void aFullDiskIs507WithTheStoresDetailAndIsLoggedAsWarning() {
    ErrorResponse response = of(storeFailure(ErrorCode.INSUFFICIENT_STORAGE, "The database disk is full."));

    assertEquals(507, response.status());
    assertEquals("The database disk is full.", response.detail());
    assertEquals(LogLevel.WARN, response.logLevel());
  }

  @Test
  void internalHidesTheStoresMessageAndIsLoggedAsError() {
    ErrorResponse response = of(storeFailure(ErrorCode.INTERNAL, "constraint failed: workflows.slug"));

    assertEquals(500, response.status());
    assertEquals("Internal Server Error", response.detail());
    assertEquals(LogLevel.ERROR, response.logLevel());
  }

  @Test
  void noHandlersAndTimeoutMeanTheStoreIsUnavailable() {
    for (ReplyFailure failure : new ReplyFailure[] {ReplyFailure.NO_HANDLERS, ReplyFailure.TIMEOUT}) {
      ErrorResponse response = of(new ReplyException(failure, "whatever"));

      assertEquals(503, response.status());
      assertEquals("Store unavailable.", response.detail());
      assertEquals(LogLevel.WARN, response.logLevel());
    }
  }

  @Test
  void anEventBusErrorIsInternal() {
    assertEquals(500, of(new ReplyException(ReplyFailure.ERROR, "codec")).status());
  }

  @Test
  void unauthenticatedAsksForBearer() {
    assertEquals(Map.of("WWW-Authenticate", "Bearer"),
        of(storeFailure(ErrorCode.UNAUTHENTICATED, "API key has been revoked.")).headers());
    assertEquals(Map.of("WWW-Authenticate", "Bearer"), of(new ApiError(401, "Not authenticated")).headers());
  }

  @Test
  void aMissingStoreMessageFallsBackToTheReasonPhrase() {
    assertEquals("Not Found", of(storeFailure(ErrorCode.NOT_FOUND, null)).detail());
    assertEquals("Conflict", of(storeFailure(ErrorCode.CONFLICT, " ")).detail());
  }

  @Test
  void jsonMessagesBecomeStructuredDetailOthersStayText() {
    assertEquals(new JsonArray().add("a"), of(storeFailure(ErrorCode.VALIDATION_FAILED, "[\"a\"]")).detail());
    assertEquals("[draft] is not a status",
        of(storeFailure(ErrorCode.VALIDATION_FAILED, "[draft] is not a status")).detail());
    assertEquals("{oops", of(storeFailure(ErrorCode.VALIDATION_FAILED, "{oops")).detail());
  }

  @Test
  void statusOnlyFailuresUseTheReasonPhrase() {
    assertEquals("Not Found", ErrorResponse.of(404, null, LIMIT).detail());
    assertEquals("Method Not Allowed", ErrorResponse.of(405, null, LIMIT).detail());
    assertEquals("Bad Request", ErrorResponse.of(400, new IllegalStateException("no host"), LIMIT).detail());
  }

  @Test
  void theBodyLimitIsQuoted() {
    ErrorResponse response = ErrorResponse.of(413, null, LIMIT);

    assertEquals(413, response.status());
    assertEquals("Request body too large (limit 4096 bytes).", response.detail());
  }

  @Test
  void httpExceptionsKeepTheirClientStatus() {
    ErrorResponse response = of(new HttpException(400, "Error while decoding query params"));

    assertEquals(400, response.status());
    assertEquals("Error while decoding query params", response.detail());
  }

  @Test
  void anythingUnexpectedIs500WithoutItsMessage() {
    ErrorResponse response = of(new IllegalStateException("secret internals"));

    assertEquals(500, response.status());
    assertEquals("Internal Server Error", response.detail());
    assertEquals(LogLevel.ERROR, response.logLevel());
    assertEquals(500, of(new HttpException(502, "upstream")).status());
  }
}
