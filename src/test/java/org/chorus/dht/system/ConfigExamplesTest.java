package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.roles.RolesFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * The example configurations in {@code config/} bind: every {@code chorus.*} key they set is one
 * the application reads ({@link ChorusProperties}, the hybrid knobs), with a valid value; the
 * multiaddrs parse, the maintenance intervals validate, the tokens load, the roles file exists, and
 * the backend is the one the example means.
 */
class ConfigExamplesTest {

  @ParameterizedTest
  @ValueSource(strings = {"single-node", "local-cluster", "kubernetes"})
  void exampleBindsIntoTheApplicationsProperties(String profile) throws IOException {
    PropertySource<?> example = load("config/application-" + profile + ".yml");
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    env.getPropertySources().addLast(example);
    env.getPropertySources().addLast(load("src/main/resources/application.yml"));
    Binder binder = Binder.get(env);

    RecordingHandler bound = new RecordingHandler();
    ChorusProperties props =
        binder.bind("chorus", Bindable.of(ChorusProperties.class), bound).get();
    binder
        .bind(
            "chorus.dht.hybrid",
            Bindable.of(HybridBackendConfiguration.HybridProperties.class),
            bound)
        .orElse(null);
    List<String> unknown = new ArrayList<>();
    var source =
        (IterableConfigurationPropertySource)
            ConfigurationPropertySources.from(example).iterator().next();
    source.stream()
        .filter(n -> n.toString().startsWith("chorus."))
        .filter(n -> !bound.covers(n))
        .forEach(n -> unknown.add(n.toString()));
    assertThat(unknown).as("keys the application does not read").isEmpty();

    ChorusProperties.Dht dht = props.dht();
    dht.listen().forEach(Multiaddr::parse);
    assertThat(NetworkBackendConfiguration.bootstrapPeers(dht))
        .allSatisfy(p -> assertThat(p).isNotNull());
    NetworkBackendConfiguration.maintenanceConfig(dht);
    NetworkBackendConfiguration.hostConfig(dht);
    assertThat(binder.bind("server.port", Integer.class).get()).isPositive();
    if (!props.security().tokens().isEmpty()) {
      assertThat(TokenRegistry.fromProperties(props).principals()).isNotEmpty();
    }
    assertThat(new RolePolicy(RolesFile.readOrBuiltIn(props.rolesFile())).roles()).isNotEmpty();

    // every example is a network node on the default (hybrid) backend
    assertThat(NetworkBackendCondition.mode(env)).isEqualTo(NetworkBackendCondition.Mode.HYBRID);
  }

  private static PropertySource<?> load(String file) throws IOException {
    List<PropertySource<?>> sources =
        new YamlPropertySourceLoader().load(file, new FileSystemResource(file));
    assertThat(sources).hasSize(1);
    return sources.get(0);
  }

  /** Records the names of the properties a bind used. */
  private static final class RecordingHandler extends AbstractBindHandler {
    private final List<ConfigurationPropertyName> names = new ArrayList<>();

    @Override
    public Object onSuccess(
        ConfigurationPropertyName name, Bindable<?> target, BindContext context, Object result) {
      names.add(name);
      return super.onSuccess(name, target, context, result);
    }

    /** Whether {@code name}, or a list or map it is an element of, was bound to a leaf value. */
    boolean covers(ConfigurationPropertyName name) {
      return names.stream()
          .anyMatch(n -> n.equals(name) || (n.isAncestorOf(name) && !isRecordNode(n)));
    }

    private boolean isRecordNode(ConfigurationPropertyName n) {
      String s = n.toString();
      return s.equals("chorus")
          || s.equals("chorus.security")
          || s.equals("chorus.storage")
          || s.equals("chorus.cache")
          || s.equals("chorus.dht")
          || s.equals("chorus.replication")
          || s.equals("chorus.dht.hybrid");
    }
  }
}
