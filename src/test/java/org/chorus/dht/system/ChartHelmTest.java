package org.chorus.dht.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chorus.dht.age.Identity;
import org.chorus.dht.age.IdentityFile;
import org.chorus.dht.age.X25519Identity;
import org.chorus.dht.p2p.core.Multiaddr;
import org.chorus.dht.p2p.pnet.SwarmKey;
import org.chorus.dht.roles.RoleDefinition;
import org.chorus.dht.roles.RoleKeys;
import org.chorus.dht.roles.RolePolicy;
import org.chorus.dht.roles.RolesFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders {@code helm/chorus-dht} with Helm (helm-java), lints it, parses the objects with the
 * fabric8 model and checks that they line up with the application: ports, probes, mounts, the
 * bootstrap address and the configuration the pods bind ({@link ChorusProperties}). Runs in its own
 * surefire fork (the {@code helm} execution in pom.xml): the Go runtime takes SIGQUIT.
 */
class ChartHelmTest {

  private static final Path CHART = Path.of("helm/chorus-dht");
  private static final String RELEASE = "dht";
  private static final String NAMESPACE = "chorus";
  private static final ObjectMapper K8S =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @TempDir static Path tmp;

  /** The objects of the default render. */
  private static Rendered defaults;

  @BeforeAll
  static void renderDefaults() {
    defaults = render(null);
  }

  @Test
  void lintsCleanInStrictMode() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
  }

  @Test
  void defaultsRenderTheExpectedObjectsOnly() {
    assertThat(defaults.kinds())
        .containsExactlyInAnyOrder(
            "ConfigMap", "Service", "Service", "StatefulSet", "PodDisruptionBudget", "Secret");
    StatefulSet sts = defaults.one(StatefulSet.class);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(defaults.one(PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal())
        .isEqualTo(1);
  }

  @Test
  void defaultImageIsTheOneTheDockerfileDocuments() throws IOException {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    Matcher m = Pattern.compile("docker build -t (\\S+) \\.").matcher(dockerfile);
    assertThat(m.find()).as("build command in the Dockerfile").isTrue();
    assertThat(container(defaults).getImage()).isEqualTo(m.group(1));
    assertThat(Files.readString(Path.of("README.md"))).contains("docker build -t " + m.group(1));
  }

  @Test
  void portsProbesAndMountsMatchTheRenderedApplicationConfig() throws Exception {
    checkConsistent(defaults, 8080, 4001, "/var/lib/chorus");
  }

  @Test
  void nonDefaultValuesStayConsistent() throws Exception {
    Rendered r = render(nonDefaultValues());
    checkConsistent(r, 9090, 4101, "/data/chorus");
    assertThat(r.one(StatefulSet.class).getSpec().getReplicas()).isEqualTo(5);
    // the chart's own keys win over the free-form config
    assertThat(binder(r).bind("server.port", Integer.class).get()).isEqualTo(9090);
    assertThat(binder(r).bind("chorus.replication.factor", Integer.class).get()).isEqualTo(5);
  }

  @Test
  void everyPodBootstrapsFromTheFirstPodsButItself() throws Exception {
    Rendered r = render(nonDefaultValues()); // 5 replicas, one extra peer
    StatefulSet sts = r.one(StatefulSet.class);
    Service headless = headless(r);
    int p2pPort = port(container(r), "p2p");
    java.util.function.IntFunction<String> pod =
        n ->
            "/dns4/%s-%d.%s.%s.svc.cluster.local/tcp/%d"
                .formatted(
                    sts.getMetadata().getName(),
                    n,
                    headless.getMetadata().getName(),
                    NAMESPACE,
                    p2pPort);
    String extra = "/dns4/seed.example.org/tcp/4001";
    String launcher = "org.springframework.boot.loader.launch.JarLauncher";

    List<String> pod0 = runStartScript(r, sts.getMetadata().getName() + "-0");
    List<String> pod1 = runStartScript(r, sts.getMetadata().getName() + "-1");
    List<String> pod4 = runStartScript(r, sts.getMetadata().getName() + "-4");
    assertThat(pod0)
        .containsExactly(
            launcher,
            "--chorus.dht.bootstrap-peers=" + pod.apply(1) + "," + pod.apply(2) + "," + extra);
    assertThat(pod1)
        .containsExactly(
            launcher,
            "--chorus.dht.bootstrap-peers=" + pod.apply(0) + "," + pod.apply(2) + "," + extra);
    assertThat(pod4)
        .containsExactly(
            launcher,
            "--chorus.dht.bootstrap-peers="
                + pod.apply(0)
                + ","
                + pod.apply(1)
                + ","
                + pod.apply(2)
                + ","
                + extra);

    // what the application makes of it: every pod runs the hybrid backend, the addresses without
    // /p2p on the port the pods listen on
    for (List<String> args : List.of(pod0, pod1, pod4)) {
      StandardEnvironment env = environment(r, args);
      assertThat(NetworkBackendCondition.mode(env)).isEqualTo(NetworkBackendCondition.Mode.HYBRID);
      List<Multiaddr> peers =
          NetworkBackendConfiguration.bootstrapPeers(properties(Binder.get(env)).dht());
      assertThat(peers).allSatisfy(p -> assertThat(p.peerId()).isEmpty());
    }
    List<Multiaddr> peers1 =
        NetworkBackendConfiguration.bootstrapPeers(
            properties(Binder.get(environment(r, pod1))).dht());
    assertThat(peers1.get(0).toString()).isEqualTo(pod.apply(0));
    assertThat(tcpPort(peers1.get(0))).isEqualTo(listenPort(r));

    // default values (3 replicas, no extra peers): pod 0 dials pods 1 and 2
    String name = defaults.one(StatefulSet.class).getMetadata().getName();
    List<String> defaultPod0 = runStartScript(defaults, name + "-0");
    assertThat(defaultPod0).hasSize(2);
    assertThat(defaultPod0.get(1))
        .startsWith("--chorus.dht.bootstrap-peers=/dns4/" + name + "-1.")
        .contains(",/dns4/" + name + "-2.")
        .doesNotContain(name + "-0.");
  }

  @Test
  void aSingleReplicaRunsStandaloneOnTheHybridBackendUnlessPinned() throws Exception {
    Rendered single = render(values("replicaCount: 1\n"));
    List<String> args =
        runStartScript(single, single.one(StatefulSet.class).getMetadata().getName() + "-0");
    assertThat(args).containsExactly("org.springframework.boot.loader.launch.JarLauncher");
    assertThat(NetworkBackendCondition.mode(environment(single, args)))
        .isEqualTo(NetworkBackendCondition.Mode.HYBRID);
    Rendered pinned = render(values("config: {chorus: {dht: {backend: network}}}\n"));
    assertThat(NetworkBackendCondition.mode(environment(pinned, List.of())))
        .isEqualTo(NetworkBackendCondition.Mode.NETWORK);
    Rendered local = render(values("config: {chorus: {dht: {backend: local}}}\n"));
    assertThat(NetworkBackendCondition.mode(environment(local, List.of())))
        .isEqualTo(NetworkBackendCondition.Mode.LOCAL);
  }

  @Test
  void tokenSecretBindsIntoTheTokenRegistry() throws Exception {
    Rendered r = render(nonDefaultValues());
    Secret secret = r.named(Secret.class, RELEASE + "-chorus-dht-tokens");
    Path mount = mountPath(r, "tokens");
    String importLocation = binder(r).bind("spring.config.import", String.class).get();
    assertThat(importLocation).isEqualTo("file:" + mount + "/tokens.yml");
    assertThat(secret.getStringData()).containsKey("tokens.yml");

    StandardEnvironment env = environment(r, List.of());
    env.getPropertySources().addFirst(yaml("tokens.yml", secret.getStringData().get("tokens.yml")));
    ChorusProperties props = properties(Binder.get(env));
    TokenRegistry registry = TokenRegistry.fromProperties(props);
    assertThat(registry.authenticate("ops-secret-token"))
        .hasValueSatisfying(
            p -> {
              assertThat(p.name()).isEqualTo("ops");
              assertThat(p.role()).isEqualTo("devops_engineer");
              assertThat(p.admin()).isTrue();
            });
    assertThat(registry.authenticate("wrong")).isEmpty();
  }

  @Test
  void roleKeysAndRolesFileAreMountedWhereTheAppLooks() throws Exception {
    Rendered r = render(nonDefaultValues());
    ChorusProperties props = properties(binder(r));
    assertThat(props.effectiveRoleKeysDir()).isEqualTo(mountPath(r, "role-keys"));
    Secret secret = r.named(Secret.class, RELEASE + "-chorus-dht-role-keys");
    String keyFile = secret.getStringData().get("senior_architect.key");
    List<Identity> ids = IdentityFile.parse(keyFile);
    assertThat(ids).singleElement().isInstanceOf(X25519Identity.class);

    // laid out as the kubelet mounts a Secret (files are symlinks through ..data), the node loads
    // the identity and generates nothing
    Path dir = Files.createTempDirectory(tmp, "role-keys");
    Path timestamped = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.000000001"));
    Files.writeString(timestamped.resolve("senior_architect.key"), keyFile);
    Files.createSymbolicLink(dir.resolve("..data"), timestamped.getFileName());
    Files.createSymbolicLink(
        dir.resolve("senior_architect.key"), Path.of("..data", "senior_architect.key"));
    RoleKeys keys =
        RoleKeys.load(
            dir, new RolePolicy(RolesFile.readOrBuiltIn(tmp.resolve("none"))), Clock.systemUTC());
    assertThat(keys.heldRoles()).containsExactly("senior_architect");
    assertThat(keys.recipient("senior_architect"))
        .contains(((X25519Identity) ids.get(0)).recipient());
    try (var files = Files.list(dir)) {
      assertThat(files).hasSize(3);
    }

    assertThat(props.rolesFile()).isEqualTo(mountPath(r, "config").resolve("roles.yaml"));
    ConfigMap cm = r.named(ConfigMap.class, RELEASE + "-chorus-dht");
    List<RoleDefinition> roles =
        RolesFile.parse(new StringReader(cm.getData().get("roles.yaml")), "rendered roles.yaml");
    assertThat(roles).extracting(RoleDefinition::name).containsExactly("ops", "viewer");
    // the default: no roles file in the ConfigMap, the built-in copy
    assertThat(defaults.named(ConfigMap.class, RELEASE + "-chorus-dht").getData().get("roles.yaml"))
        .isNull();
    // ... the relative default, which does not exist in the image's working directory /app, so the
    // copy built into the jar is used
    assertThat(properties(binder(defaults)).rolesFile()).isEqualTo(Path.of("config/roles.yaml"));
  }

  @Test
  void existingSecretsAreUsedAndNotRendered() {
    Rendered r =
        render(
            values(
                "apiTokens:\n  existingSecret: my-tokens\n"
                    + "roleKeys:\n  existingSecret: my-keys\n"
                    + "swarmKey:\n  existingSecret: my-swarm-key\n"));
    assertThat(r.kinds()).doesNotContain("Secret");
    List<Volume> volumes = r.one(StatefulSet.class).getSpec().getTemplate().getSpec().getVolumes();
    assertThat(volumes)
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactlyInAnyOrder("my-tokens", "my-keys", "my-swarm-key");
    assertThat(volume(r, "swarm-key").getSecret().getItems())
        .singleElement()
        .satisfies(i -> assertThat(i.getKey()).isEqualTo("swarm.key"));
    assertThat(properties(binder(r)).dht().swarmKeyFile())
        .isEqualTo(mountPath(r, "swarm-key").resolve("swarm.key"));
  }

  @Test
  void aPrivateNetworkByDefault_withAGeneratedKeyMountedWhereTheAppReadsIt() throws Exception {
    Secret secret = defaults.named(Secret.class, RELEASE + "-chorus-dht-swarm-key");
    byte[] file = java.util.Base64.getDecoder().decode(secret.getData().get("swarm.key"));
    SwarmKey key = SwarmKey.parse(file);

    // mounted read-only; chorus.dht.swarm-key-file names the file in the mount
    Path mount = mountPath(defaults, "swarm-key");
    Volume volume = volume(defaults, "swarm-key");
    assertThat(volume.getSecret().getSecretName()).isEqualTo(secret.getMetadata().getName());
    assertThat(volume.getSecret().getItems())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getKey()).isEqualTo("swarm.key");
              assertThat(mount.resolve(i.getPath()))
                  .isEqualTo(properties(binder(defaults)).dht().swarmKeyFile());
            });

    // laid out as the kubelet mounts a Secret (symlinks through ..data), the node reads the key
    Path dir = Files.createTempDirectory(tmp, "swarm-key");
    Path timestamped = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.000000001"));
    Files.write(timestamped.resolve("swarm.key"), file);
    Files.createSymbolicLink(dir.resolve("..data"), timestamped.getFileName());
    Files.createSymbolicLink(dir.resolve("swarm.key"), Path.of("..data", "swarm.key"));
    assertThat(NetworkBackendConfiguration.swarmKey(dir.resolve("swarm.key"))).isEqualTo(key);

    // a render without a cluster to look the Secret up in generates another key
    Rendered again = render(null);
    assertThat(again.named(Secret.class, RELEASE + "-chorus-dht-swarm-key").getData())
        .isNotEqualTo(secret.getData());
  }

  @Test
  void aGivenSwarmKeyIsUsed_aBadOneFailsTheRender_andThePrivateNetworkCanBeTurnedOff()
      throws Exception {
    SwarmKey key = SwarmKey.generate();
    String file = new String(key.encode(), StandardCharsets.US_ASCII);
    Rendered given = render(values("swarmKey:\n  key: |\n" + file.strip().indent(4)));
    Secret secret = given.named(Secret.class, RELEASE + "-chorus-dht-swarm-key");
    assertThat(
            SwarmKey.parse(java.util.Base64.getDecoder().decode(secret.getData().get("swarm.key"))))
        .isEqualTo(key);

    assertThatThrownBy(() -> render(values("swarmKey:\n  key: not-a-key\n")))
        .hasMessageContaining("swarmKey.key must be a swarm key file");

    Rendered off = render(values("swarmKey:\n  enabled: false\n"));
    assertThat(off.kinds()).doesNotContain("Secret");
    assertThat(container(off).getVolumeMounts()).noneMatch(m -> m.getName().equals("swarm-key"));
    assertThat(properties(binder(off)).dht().swarmKeyFile()).isNull();
  }

  @Test
  void monitoringNetworkPolicyAndDashboardMatchThePorts() throws Exception {
    Rendered r = render(nonDefaultValues());
    Container c = container(r);
    @SuppressWarnings("unchecked")
    Map<String, Object> monitor = (Map<String, Object>) r.raw("ServiceMonitor").get(0).get("spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> endpoint = ((List<Map<String, Object>>) monitor.get("endpoints")).get(0);
    assertThat(endpoint)
        .containsEntry("port", "http")
        .containsEntry("path", "/actuator/prometheus");
    assertThat(headless(r).getSpec().getPorts()).extracting(ServicePort::getName).contains("http");

    NetworkPolicy np = r.one(NetworkPolicy.class);
    List<String> containerPortNames = c.getPorts().stream().map(ContainerPort::getName).toList();
    assertThat(np.getSpec().getIngress())
        .flatExtracting(i -> i.getPorts())
        .extracting(p -> p.getPort().getStrVal())
        .containsExactlyInAnyOrder("p2p", "http")
        .allSatisfy(name -> assertThat(containerPortNames).contains(name));

    ConfigMap dashboard = r.named(ConfigMap.class, RELEASE + "-chorus-dht-dashboard");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getData().get("chorus-dht.json").strip())
        .isEqualTo(Files.readString(CHART.resolve("dashboards/chorus-dht.json")).strip());
  }

  @Test
  void aBadTokenHashFailsTheRender() {
    assertThatThrownBy(
            () ->
                render(
                    values(
                        "apiTokens:\n  tokens:\n    - {principal: x, role: qa_engineer,"
                            + " sha256: abc}\n")))
        .hasMessageContaining("sha256 of principal x must be 64 hex digits");
  }

  // ---- the consistency checks shared by default and non-default renders

  private static void checkConsistent(Rendered r, int http, int p2p, String dataDir)
      throws Exception {
    Binder binder = binder(r);
    ChorusProperties props = properties(binder);
    Container c = container(r);
    StatefulSet sts = r.one(StatefulSet.class);

    // HTTP: container port = server.port, and Actuator on the same port
    int serverPort = binder.bind("server.port", Integer.class).get();
    assertThat(serverPort).isEqualTo(http);
    assertThat(port(c, "http")).isEqualTo(serverPort);
    assertThat(binder.bind("management.server.port", Integer.class).orElse(serverPort))
        .isEqualTo(serverPort);
    Service api = r.named(Service.class, sts.getMetadata().getName());
    assertThat(api.getSpec().getPorts()).singleElement().satisfies(p -> targets(p, "http"));

    // libp2p: container port = the port of chorus.dht.listen
    assertThat(props.dht().listen()).hasSize(1);
    assertThat(listenPort(r)).isEqualTo(p2p).isEqualTo(port(c, "p2p"));
    Service headless = headless(r);
    assertThat(sts.getSpec().getServiceName()).isEqualTo(headless.getMetadata().getName());
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getPorts())
        .anySatisfy(p -> assertThat(p.getPort()).isEqualTo(p2p));

    // probes: on the HTTP port, at the Actuator groups the app defines
    Set<String> groups = healthGroups();
    for (HTTPGetAction probe :
        List.of(
            c.getLivenessProbe().getHttpGet(),
            c.getReadinessProbe().getHttpGet(),
            c.getStartupProbe().getHttpGet())) {
      assertThat(probe.getPort().getStrVal()).isEqualTo("http");
      assertThat(probe.getPath()).startsWith("/actuator/health/");
      assertThat(groups).contains(probe.getPath().substring("/actuator/health/".length()));
    }
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).endsWith("/liveness");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).endsWith("/readiness");
    // a node alone is not ready when readiness grades the DHT: the pods must start together
    if (readinessChecks().contains("dht")) {
      assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    }

    // data dir: the PVC mounted at chorus.data-dir; /tmp writable; root fs read-only, non-root
    assertThat(props.dataDir()).isEqualTo(Path.of(dataDir));
    assertThat(mountPath(r, "data")).isEqualTo(props.dataDir());
    assertThat(sts.getSpec().getVolumeClaimTemplates())
        .singleElement()
        .satisfies(pvc -> assertThat(pvc.getMetadata().getName()).isEqualTo("data"));
    assertThat(mountPath(r, "tmp")).isEqualTo(Path.of("/tmp"));
    assertThat(volume(r, "tmp").getEmptyDir()).isNotNull();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(sts.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
        .isTrue();
    for (VolumeMount m : c.getVolumeMounts()) {
      if (!m.getName().equals("data") && !m.getName().equals("tmp")) {
        assertThat(m.getReadOnly()).as(m.getName()).isTrue();
      }
    }

    // the config is read from the ConfigMap mount, and the start script lives there
    assertThat(c.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("SPRING_CONFIG_ADDITIONAL_LOCATION");
              assertThat(e.getValue()).isEqualTo("file:" + mountPath(r, "config") + "/");
            });
    assertThat(c.getCommand()).contains(mountPath(r, "config") + "/start.sh");
    assertThat(NetworkBackendCondition.mode(environment(r, List.of())))
        .as("every pod runs the network DHT")
        .isNotEqualTo(NetworkBackendCondition.Mode.LOCAL);
  }

  /** The health groups of src/main/resources/application.yml, with probes enabled. */
  private static Set<String> healthGroups() throws IOException {
    List<PropertySource<?>> app =
        new YamlPropertySourceLoader()
            .load("app", new FileSystemResource("src/main/resources/application.yml"));
    StandardEnvironment env = new StandardEnvironment();
    app.forEach(env.getPropertySources()::addLast);
    Binder binder = Binder.get(env);
    assertThat(binder.bind("management.endpoint.health.probes.enabled", Boolean.class).get())
        .isTrue();
    assertThat(binder.bind("management.endpoints.web.exposure.include", String[].class).get())
        .contains("health", "prometheus");
    return binder
        .bind(
            "management.endpoint.health.group",
            org.springframework.boot.context.properties.bind.Bindable.mapOf(
                String.class, Object.class))
        .get()
        .keySet();
  }

  /** The checks of the readiness group in src/main/resources/application.yml. */
  private static List<String> readinessChecks() throws IOException {
    StandardEnvironment env = new StandardEnvironment();
    new YamlPropertySourceLoader()
        .load("app", new FileSystemResource("src/main/resources/application.yml"))
        .forEach(env.getPropertySources()::addLast);
    return List.of(
        Binder.get(env)
            .bind("management.endpoint.health.group.readiness.include", String[].class)
            .get());
  }

  // ---- rendering and parsing

  private static Path nonDefaultValues() {
    String key = IdentityFile.format(X25519Identity.generate(), Instant.EPOCH);
    return values(
        """
        replicaCount: 5
        http: {port: 9090}
        p2p: {port: 4101}
        persistence: {mountPath: /data/chorus}
        extraBootstrapPeers: [/dns4/seed.example.org/tcp/4001]
        config:
          server: {port: 1234}
          chorus:
            replication: {factor: 5}
        roles:
          ops: {description: operations, authority: admin, canDecrypt: ["*"]}
          viewer: {description: reads, authority: read_only, canDecrypt: []}
        roleKeys:
          keys:
            senior_architect: |
        %s
        apiTokens:
          tokens:
            - {principal: ops, role: devops_engineer, admin: true, sha256: %s}
        serviceMonitor: {enabled: true, tokenSecret: {name: prom-token}}
        networkPolicy: {enabled: true}
        dashboard: {enabled: true}
        """
            .formatted(
                key.strip().indent(6).stripTrailing(),
                TokenRegistry.sha256Hex("ops-secret-token")));
  }

  private static Path values(String yaml) {
    try {
      Path file = Files.createTempFile(tmp, "values", ".yaml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Rendered render(Path valuesFile) {
    var cmd = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    if (valuesFile != null) {
      cmd = cmd.withValuesFile(valuesFile);
    }
    String out = cmd.call();
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(out)) {
      if (doc instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) m;
        docs.add(typed);
      }
    }
    return new Rendered(docs);
  }

  /** The rendered objects. */
  private record Rendered(List<Map<String, Object>> docs) {

    List<String> kinds() {
      return docs.stream().map(d -> (String) d.get("kind")).toList();
    }

    List<Map<String, Object>> raw(String kind) {
      return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    <T> List<T> all(Class<T> type) {
      return raw(type.getSimpleName()).stream().map(d -> K8S.convertValue(d, type)).toList();
    }

    <T> T one(Class<T> type) {
      List<T> all = all(type);
      assertThat(all).as(type.getSimpleName()).hasSize(1);
      return all.get(0);
    }

    <T extends io.fabric8.kubernetes.api.model.HasMetadata> T named(Class<T> type, String name) {
      return all(type).stream()
          .filter(o -> o.getMetadata().getName().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }
  }

  private static Container container(Rendered r) {
    return r.one(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static Service headless(Rendered r) {
    return r.named(Service.class, r.one(StatefulSet.class).getSpec().getServiceName());
  }

  private static int port(Container c, String name) {
    return c.getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getContainerPort();
  }

  private static void targets(ServicePort p, String name) {
    assertThat(p.getTargetPort().getStrVal()).isEqualTo(name);
  }

  private static Volume volume(Rendered r, String name) {
    return r.one(StatefulSet.class).getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static Path mountPath(Rendered r, String volume) {
    return Path.of(
        container(r).getVolumeMounts().stream()
            .filter(m -> m.getName().equals(volume))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no mount of " + volume))
            .getMountPath());
  }

  private static int listenPort(Rendered r) {
    return tcpPort(Multiaddr.parse(properties(binder(r)).dht().listen().get(0)));
  }

  private static int tcpPort(Multiaddr addr) {
    return addr.components().stream()
        .filter(c -> c.proto() == Multiaddr.Proto.TCP)
        .map(c -> Integer.parseInt(c.value()))
        .findFirst()
        .orElseThrow();
  }

  private static PropertySource<?> yaml(String name, String text) {
    try {
      List<PropertySource<?>> sources =
          new YamlPropertySourceLoader()
              .load(name, new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8)));
      assertThat(sources).hasSize(1);
      return sources.get(0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What a pod sees: command-line arguments over the rendered application.yml over the built-in
   * src/main/resources/application.yml.
   */
  private static StandardEnvironment environment(Rendered r, List<String> args) {
    StandardEnvironment env = new StandardEnvironment();
    MutablePropertySources sources = env.getPropertySources();
    sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    sources.addLast(
        new org.springframework.core.env.SimpleCommandLinePropertySource(
            args.stream().filter(a -> a.startsWith("--")).toArray(String[]::new)));
    ConfigMap cm = r.named(ConfigMap.class, r.one(StatefulSet.class).getMetadata().getName());
    sources.addLast(yaml("rendered", cm.getData().get("application.yml")));
    try {
      new YamlPropertySourceLoader()
          .load("app", new FileSystemResource("src/main/resources/application.yml"))
          .forEach(sources::addLast);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return env;
  }

  private static Binder binder(Rendered r) {
    return Binder.get(environment(r, List.of()));
  }

  private static ChorusProperties properties(Binder binder) {
    return binder.bindOrCreate("chorus", ChorusProperties.class);
  }

  /**
   * Runs the rendered start.sh of the ConfigMap with /bin/sh as pod {@code podName}, with a fake
   * {@code java} first on the PATH that prints its arguments.
   */
  private static List<String> runStartScript(Rendered r, String podName) throws Exception {
    ConfigMap cm = r.named(ConfigMap.class, r.one(StatefulSet.class).getMetadata().getName());
    Path dir = Files.createTempDirectory(tmp, "start");
    Path script = dir.resolve("start.sh");
    Files.writeString(script, cm.getData().get("start.sh"));
    Path java = dir.resolve("java");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", script.toString()).redirectErrorStream(true);
    pb.environment().put("PATH", dir + ":" + System.getenv("PATH"));
    pb.environment().put("POD_NAME", podName);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}
