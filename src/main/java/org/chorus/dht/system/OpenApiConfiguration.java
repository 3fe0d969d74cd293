package org.chorus.dht.system;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.Map;
import java.util.stream.IntStream;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.HandlerMethod;

/**
 * OpenAPI document at {@code /v3/api-docs} with the bearer-token scheme applied to every call.
 *
 * <p>Springdoc sees neither the problems {@link ProblemDetailsAdvice} and the security filters
 * write nor that an octet-stream body is raw bytes, so {@link #documentProblemsAndBinaryBodies()}
 * adds both: {@code 401} to every authenticated call and the statuses a handler lists in {@link
 * ProblemResponses}, each as {@code application/problem+json} with the {@code ProblemDetail}
 * schema; {@code application/octet-stream} bodies typed as binary strings. The Java client the
 * build generates from this document (tests in {@code org.chorus.dht.apiclient}) checks that it is
 * complete.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  static final String BEARER = "bearer";

  /** Name of the RFC 9457 problem schema in {@code components.schemas}. */
  static final String PROBLEM_SCHEMA = "ProblemDetail";

  private static final String PROBLEM_JSON =
      org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;
  private static final String OCTET_STREAM =
      org.springframework.http.MediaType.APPLICATION_OCTET_STREAM_VALUE;

  private static final Map<Integer, String> PROBLEM_DESCRIPTIONS =
      Map.of(
          400, "Invalid request; `field` names the parameter or body member at fault",
          401, "No bearer token, or one that is not valid",
          403, "The caller's role may not do this",
          404, "Not found",
          409, "Conflict with the node's state",
          413, "Request body over the size limit (`limit`, in bytes)",
          503, "The storage backend or the audit log failed; the operation is not acknowledged");

  @Bean
  OpenAPI chorusOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("chorus-dht")
                .version("v1")
                .description(
                    "One node of the CHORUS DHT: UCXL-addressed content, age-encrypted per role."))
        // Relative: the node that serves the document (not the host and port it was fetched on).
        .addServersItem(new Server().url("/").description("This node"))
        .components(
            new Components()
                .addSecuritySchemes(
                    BEARER,
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("API token; see <data-dir>/initial-token on first start"))
                .addSchemas(PROBLEM_SCHEMA, problemSchema()))
        .addSecurityItem(new SecurityRequirement().addList(BEARER));
  }

  /** The members {@link ProblemDetailsAdvice} and {@link ProblemWriter} write. */
  private static Schema<?> problemSchema() {
    return new ObjectSchema()
        .description("An RFC 9457 problem; every error of the API has this body")
        .addProperty(
            "type",
            new StringSchema().format("uri").description("urn:chorus:problem:<slug>, to match on"))
        .addProperty("title", new StringSchema().description("Short summary of the problem type"))
        .addProperty("status", new IntegerSchema().description("The HTTP status"))
        .addProperty("detail", new StringSchema().description("What went wrong, for humans"))
        .addProperty("instance", new StringSchema().format("uri").description("The request's path"))
        .addProperty(
            "field",
            new StringSchema().description("The parameter or body member at fault, if one is"))
        .addProperty(
            "part", new StringSchema().description("Invalid UCXL address: the part at fault"))
        .addProperty(
            "reason", new StringSchema().description("Invalid UCXL address: why it is invalid"))
        .addProperty(
            "limit",
            new IntegerSchema().format("int64").description("413: the size limit in bytes"))
        .additionalProperties(true);
  }

  @Bean
  OperationCustomizer documentProblemsAndBinaryBodies() {
    return (operation, handler) -> {
      boolean authenticated = operation.getSecurity() == null || !operation.getSecurity().isEmpty();
      IntStream.concat(
              authenticated ? IntStream.of(401) : IntStream.empty(), declaredProblems(handler))
          .sorted()
          .forEach(status -> addProblem(operation, status));
      typeOctetStreamAsBinary(operation);
      return operation;
    };
  }

  private static IntStream declaredProblems(HandlerMethod handler) {
    ProblemResponses problems = handler.getMethodAnnotation(ProblemResponses.class);
    return problems == null ? IntStream.empty() : IntStream.of(problems.value());
  }

  private static void addProblem(Operation operation, int status) {
    if (operation.getResponses() == null) {
      operation.setResponses(new ApiResponses());
    }
    String code = Integer.toString(status);
    if (operation.getResponses().containsKey(code)) {
      return;
    }
    operation
        .getResponses()
        .addApiResponse(
            code,
            new ApiResponse()
                .description(PROBLEM_DESCRIPTIONS.getOrDefault(status, "Error"))
                .content(
                    new Content()
                        .addMediaType(
                            PROBLEM_JSON,
                            new MediaType()
                                .schema(
                                    new Schema<>()
                                        .$ref("#/components/schemas/" + PROBLEM_SCHEMA)))));
  }

  private static void typeOctetStreamAsBinary(Operation operation) {
    if (operation.getRequestBody() != null) {
      binary(operation.getRequestBody().getContent());
    }
    if (operation.getResponses() != null) {
      operation.getResponses().values().forEach(response -> binary(response.getContent()));
    }
  }

  private static void binary(Content content) {
    if (content != null && content.get(OCTET_STREAM) != null) {
      content.get(OCTET_STREAM).setSchema(new StringSchema().format("binary"));
    }
  }
}
