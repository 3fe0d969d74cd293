package org.chorus.dht.system;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/** Web-level wiring shared by every feature: properties, clock, Tomcat, request size cap. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChorusProperties.class)
class WebConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * Lets {@code %2F} through to Spring MVC undecoded (Tomcat rejects it by default), so a raw DHT
   * key such as {@code /CHORUS/ucxl/...} fits in one path segment.
   */
  @Bean
  TomcatConnectorCustomizer encodedSlashPassThrough() {
    return connector ->
        connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
  }

  @Bean
  FilterRegistrationBean<RequestSizeFilter> requestSizeFilter(
      ChorusProperties properties, JsonMapper json, MeterRegistry registry) {
    Counter rejected =
        Counter.builder("chorus.http.requests.too.large")
            .description("Requests refused with 413 because the body passed the size cap")
            .register(registry);
    var registration =
        new FilterRegistrationBean<>(
            new RequestSizeFilter(
                maxRequestBytes(properties.storage()), new ProblemWriter(json), rejected));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
    return registration;
  }

  /**
   * The request body cap: configured, or room for base64 of the largest content plus JSON and the
   * envelope overhead of a raw record.
   */
  static long maxRequestBytes(ChorusProperties.Storage storage) {
    if (storage.maxRequestSize() != null) {
      return storage.maxRequestSize().toBytes();
    }
    long content = storage.maxContentSize().toBytes();
    return content * 4 / 3 + 64 * 1024;
  }
}
