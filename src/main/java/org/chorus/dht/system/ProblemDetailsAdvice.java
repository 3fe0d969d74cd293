package org.chorus.dht.system;

import java.net.URI;
import org.chorus.dht.backend.DhtBackendException;
import org.chorus.dht.store.StoreException;
import org.chorus.dht.ucxl.InvalidUcxlAddressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Renders every error of the HTTP API as RFC 9457 {@code application/problem+json}: Spring MVC's
 * own exceptions (via {@link ResponseEntityExceptionHandler}), {@link ApiException}s of the
 * features, invalid UCXL addresses (naming the field and the reason) and backend failures.
 *
 * <p>The OpenAPI document describes these bodies as the {@code ProblemDetail} schema ({@link
 * OpenApiConfiguration}); a handler names the statuses it answers with {@link ProblemResponses}. A
 * member added to a problem here belongs in that schema too.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

  static URI typeUri(String slug) {
    return URI.create("urn:chorus:problem:" + slug);
  }

  @ExceptionHandler(ApiException.class)
  ProblemDetail api(ApiException e) {
    return toProblem(e);
  }

  @ExceptionHandler(InvalidUcxlAddressException.class)
  ProblemDetail invalidAddress(InvalidUcxlAddressException e) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.BAD_REQUEST,
            "'address' is not a valid UCXL address: " + e.reason() + " (part: " + e.field() + ")");
    problem.setType(typeUri("invalid-address"));
    problem.setTitle("Invalid UCXL address");
    problem.setProperty("field", "address");
    problem.setProperty("part", e.field());
    problem.setProperty("reason", e.reason());
    return problem;
  }

  @ExceptionHandler(DhtBackendException.class)
  ProblemDetail backend(DhtBackendException e) {
    log.warn("Backend failure: {}", e.getMessage());
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    problem.setType(typeUri("backend-unavailable"));
    problem.setTitle("Storage backend unavailable");
    return problem;
  }

  /** The data store could not make a write durable (disk full, I/O error, closed at shutdown). */
  @ExceptionHandler(StoreException.class)
  ProblemDetail store(StoreException e) {
    log.warn("Data store failure: {}", e.getMessage());
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    problem.setType(typeUri("store-unavailable"));
    problem.setTitle("Data store unavailable");
    return problem;
  }

  /** A body that failed while being read because it passed the size cap is a 413, not a 400. */
  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof ApiException api) {
        return ResponseEntity.status(api.status()).body(toProblem(api));
      }
    }
    return super.handleHttpMessageNotReadable(ex, headers, status, request);
  }

  /** A body field that fails bean validation: the problem names the field and the reason. */
  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    FieldError error = ex.getBindingResult().getFieldError();
    if (error == null) {
      return super.handleMethodArgumentNotValid(ex, headers, status, request);
    }
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.BAD_REQUEST, "'" + error.getField() + "': " + error.getDefaultMessage());
    problem.setType(typeUri("invalid-request"));
    problem.setTitle("Invalid request");
    problem.setProperty("field", error.getField());
    return ResponseEntity.badRequest().body(problem);
  }

  /** Framework problems get a type of ours too, so every problem has one a client can match. */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ResponseEntity<Object> response =
        super.handleExceptionInternal(ex, body, headers, status, request);
    if (response != null
        && response.getBody() instanceof ProblemDetail problem
        && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
      problem.setType(typeUri("http-" + response.getStatusCode().value()));
    }
    return response;
  }

  static ProblemDetail toProblem(ApiException e) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(e.status()), e.detail());
    problem.setType(typeUri(e.type()));
    problem.setTitle(e.title());
    e.properties().forEach(problem::setProperty);
    return problem;
  }
}
