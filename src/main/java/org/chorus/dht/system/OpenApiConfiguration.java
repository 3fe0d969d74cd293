package org.chorus.dht.system;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** OpenAPI document at {@code /v3/api-docs} with the bearer-token scheme applied to every call. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  static final String BEARER = "bearer";

  @Bean
  OpenAPI chorusOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("chorus-dht")
                .version("v1")
                .description(
                    "One node of the CHORUS DHT: UCXL-addressed content, age-encrypted per role."))
        .components(
            new Components()
                .addSecuritySchemes(
                    BEARER,
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("API token; see <data-dir>/initial-token on first start")))
        .addSecurityItem(new SecurityRequirement().addList(BEARER));
  }
}
