package org.chorus.dht.system;

import java.io.IOException;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stateless bearer-token security: every call but health, info and the API docs needs a token
 * (DESIGN.md, HTTP API). 401 and 403 are problem+json.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  static final String[] PUBLIC_PATHS = {
    "/actuator/health",
    "/actuator/health/**",
    "/actuator/info",
    "/v3/api-docs",
    "/v3/api-docs/**",
    "/swagger-ui.html",
    "/swagger-ui/**",
    "/error"
  };

  @Bean
  TokenRegistry tokenRegistry(ChorusProperties properties) throws IOException {
    return TokenRegistry.fromProperties(properties);
  }

  @Bean
  SecurityFilterChain apiSecurity(HttpSecurity http, TokenRegistry tokens, JsonMapper json)
      throws Exception {
    ProblemWriter problems = new ProblemWriter(json);
    http.csrf(c -> c.disable())
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .authorizeHttpRequests(
            a -> a.requestMatchers(PUBLIC_PATHS).permitAll().anyRequest().authenticated())
        .addFilterBefore(new BearerTokenFilter(tokens), AnonymousAuthenticationFilter.class)
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                        (request, response, ex) -> {
                          boolean invalid =
                              request.getAttribute(BearerTokenFilter.INVALID_TOKEN) != null;
                          response.setHeader(
                              HttpHeaders.WWW_AUTHENTICATE,
                              invalid ? "Bearer error=\"invalid_token\"" : "Bearer");
                          problems.write(
                              request,
                              response,
                              401,
                              "unauthorized",
                              "Unauthorized",
                              invalid
                                  ? "The bearer token is not valid"
                                  : "An 'Authorization: Bearer <token>' header is required",
                              Map.of());
                        })
                    .accessDeniedHandler(
                        (request, response, ex) ->
                            problems.write(
                                request,
                                response,
                                403,
                                "forbidden",
                                "Forbidden",
                                "The caller may not do this: " + ex.getMessage(),
                                Map.of())));
    return http.build();
  }

  /** Requests the firewall refuses (e.g. {@code ..} in the path) get a problem too. */
  @Bean
  RequestRejectedHandler problemRequestRejectedHandler(JsonMapper json) {
    ProblemWriter problems = new ProblemWriter(json);
    return (request, response, ex) ->
        problems.write(
            request,
            response,
            400,
            "request-rejected",
            "Request rejected",
            "the request was rejected: " + ex.getMessage(),
            Map.of());
  }

  /** DHT keys contain '/', so raw-value paths carry it URL-encoded ({@code %2F}). */
  @Bean
  WebSecurityCustomizer allowEncodedSlash() {
    StrictHttpFirewall firewall = new StrictHttpFirewall();
    firewall.setAllowUrlEncodedSlash(true);
    firewall.setAllowUrlEncodedDoubleSlash(true);
    firewall.setAllowUrlEncodedPercent(true);
    return web -> web.httpFirewall(firewall);
  }
}
