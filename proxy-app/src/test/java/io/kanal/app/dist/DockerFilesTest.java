package io.kanal.app.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kanal.app.admin.AdminSettings;
import io.kanal.app.config.ConfigException;
import io.kanal.app.config.ConfigLoader;
import io.kanal.app.config.KanalConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps the files under {@code docker/} true to the application, without a Docker engine: the Dockerfile by line
 * rules, the compose file and the Kubernetes manifests parsed as YAML, and every Kanal configuration in them loaded
 * by the real {@link ConfigLoader} with the environment the file gives it. What must agree: the ports the
 * configurations listen on and the ports the files expose, publish and probe; the image runs as a non-root user, has
 * a health check on {@code /livez} and a configuration mount; every image is pinned to an exact version, the Kafka
 * image to the project's {@code kafka.version} and Kanal's to the project's version.
 */
class DockerFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final Path KUBERNETES = DOCKER.resolve("kubernetes");
    private static final String CONFIG_MOUNT = "/etc/kanal/kanal.yaml";
    private static final String PLUGINS_DIR = "/opt/kanal/plugins";
    private static final String LAUNCHER = "/opt/kanal/bin/kanal";
    /** Pinned: a tag that starts with a full version such as 4.3.1 or 17.0.16_8, or a digest. */
    private static final Pattern PINNED_TAG = Pattern.compile("\\d+\\.\\d+\\.\\d+([._+-][A-Za-z0-9._+-]*)?");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final ObjectMapper YAML = new YAMLMapper();

    private static String projectVersion;
    private static String kafkaVersion;

    @BeforeAll
    static void readRootPom() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document pom = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        Element project = pom.getDocumentElement();
        projectVersion = childText(project, "version");
        kafkaVersion = childText(childElement(project, "properties"), "kafka.version");
    }

    // ---------------------------------------------------------------------------------------------- Dockerfile

    @Nested
    class Dockerfile {

        private final List<Stage> stages = stages(read(DOCKER.resolve("Dockerfile")));
        private final Stage runtime = stages.get(stages.size() - 1);

        @Test
        void everyBaseImageIsPinnedToAVersion() {
            assertTrue(stages.size() >= 2, "a build stage and a runtime stage");
            List<String> aliases = new ArrayList<>();
            for (Stage stage : stages) {
                if (!aliases.contains(stage.image())) {
                    assertPinned(stage.image(), "FROM in docker/Dockerfile");
                }
                stage.alias().ifPresent(aliases::add);
            }
            for (Instruction copy : runtime.all("COPY")) {
                flag(copy, "from").ifPresent(from -> assertTrue(aliases.contains(from),
                        "COPY --from=" + from + " names no earlier stage"));
            }
        }

        @Test
        void buildsTheTarballAndUnpacksItToOptKanal() {
            Stage build = stages.get(0);
            String run = String.join("\n", build.all("RUN").stream().map(Instruction::arguments).toList());
            assertTrue(run.contains("mvn ") && run.contains(" package") && run.contains("-DskipTests"), run);
            assertTrue(run.contains("proxy-app/target/kanal-*-bin.tar.gz") && run.contains("/opt/kanal"), run);
            assertTrue(runtime.all("COPY").stream().anyMatch(copy -> copy.arguments().endsWith("/opt/kanal /opt/kanal")),
                    "the runtime stage copies /opt/kanal from the build stage");
            assertTrue(Files.isRegularFile(ROOT.resolve("proxy-app/src/dist/bin/kanal")), "the launcher's source");
            assertTrue(Files.isRegularFile(ROOT.resolve("proxy-app/src/assembly/bin.xml")), "the tarball's descriptor");
        }

        @Test
        void everyFileCopiedFromTheBuildContextExists() {
            for (Stage stage : stages) {
                for (Instruction copy : stage.all("COPY")) {
                    if (flag(copy, "from").isPresent()) {
                        continue;
                    }
                    List<String> words = words(copy);
                    for (String source : words.subList(0, words.size() - 1)) {
                        if (!source.equals(".")) {
                            assertTrue(Files.exists(ROOT.resolve(source)), "COPY " + source + ": no such file in the "
                                    + "repository");
                        }
                    }
                }
            }
        }

        @Test
        void runsAsANumericNonRootUser() {
            Instruction user = runtime.last("USER").orElseThrow(() -> new AssertionError("no USER: runs as root"));
            String uid = user.arguments().split(":")[0];
            assertTrue(uid.matches("\\d+"), "USER " + user.arguments() + " must be numeric for runAsNonRoot");
            assertFalse(Integer.parseInt(uid) == 0, "USER 0 is root");
            assertEquals("10001", uid);
        }

        @Test
        void exposesExactlyThePortsTheBakedInConfigurationListensOn() throws Exception {
            Set<Integer> exposed = new TreeSet<>();
            for (Instruction expose : runtime.all("EXPOSE")) {
                for (String word : expose.arguments().split("\\s+")) {
                    exposed.addAll(portRange(word.replaceFirst("/tcp$", "")));
                }
            }
            assertEquals(bakedInConfig().allPorts(), exposed, "EXPOSE against docker/kanal.yaml");
        }

        @Test
        void bakesInDockerKanalYamlAsTheConfigurationItRuns() {
            assertTrue(runtime.all("COPY").stream().anyMatch(copy -> words(copy).equals(
                    List.of("docker/kanal.yaml", CONFIG_MOUNT))), "COPY docker/kanal.yaml " + CONFIG_MOUNT);
            List<String> entrypoint = execForm(runtime.last("ENTRYPOINT").orElseThrow());
            assertEquals(List.of(LAUNCHER), entrypoint, "ENTRYPOINT: the launcher, in exec form so signals reach it");
            assertEquals(List.of("--config", CONFIG_MOUNT), execForm(runtime.last("CMD").orElseThrow()));
        }

        @Test
        void declaresTheConfigurationAndPluginVolumes() {
            List<String> volumes = runtime.all("VOLUME").stream().flatMap(volume -> execForm(volume).stream()).toList();
            assertTrue(volumes.contains("/etc/kanal"), volumes::toString);
            assertTrue(volumes.contains(PLUGINS_DIR), volumes::toString);
            assertEquals(PLUGINS_DIR, env(runtime).get("KANAL_PLUGINS_DIR"));
        }

        @Test
        void checksHealthWithLivezOnTheAdminPort() throws Exception {
            Instruction healthcheck = runtime.last("HEALTHCHECK")
                    .orElseThrow(() -> new AssertionError("no HEALTHCHECK"));
            int cmd = healthcheck.arguments().indexOf("CMD ");
            assertTrue(cmd >= 0, "HEALTHCHECK ... CMD [...]: " + healthcheck.arguments());
            List<String> command = parseJsonArray(healthcheck.arguments().substring(cmd + 4));
            // The command is a script the image copies from the repository: find it and read it.
            String script = command.get(0);
            Instruction copy = runtime.all("COPY").stream().filter(c -> words(c).get(words(c).size() - 1).equals(script))
                    .findFirst().orElseThrow(() -> new AssertionError("no COPY puts " + script + " in the image"));
            String text = read(ROOT.resolve(words(copy).get(0)));
            assertTrue(text.contains("GET /livez "), "the health check asks for /livez:\n" + text);
            int adminPort = bakedInConfig().admin().listen().port();
            assertTrue(text.contains("${KANAL_ADMIN_PORT:-" + adminPort + "}"),
                    "the health check's default port is docker/kanal.yaml's admin port " + adminPort);
        }
    }

    // ---------------------------------------------------------------------------------------------- docker/kanal.yaml

    @Test
    void theBakedInConfigurationNeedsItsAdvertisedHostAndTarget() {
        ConfigException missing = assertThrows(ConfigException.class,
                () -> load(read(DOCKER.resolve("kanal.yaml")), Map.of("KAFKA_BOOTSTRAP", "kafka:9092")));
        assertTrue(missing.getMessage().contains("KANAL_ADVERTISED_HOST"), missing.getMessage());
        Listeners config = bakedInConfig();
        VirtualClusterConfig cluster = config.clusters().get(0);
        assertEquals("0.0.0.0", cluster.bootstrap().host(), "reachable from outside the container");
        assertEquals("kanal.example", cluster.advertisedHost());
        assertEquals("0.0.0.0", config.admin().listen().host(), "reachable by health checks and Prometheus");
    }

    // ---------------------------------------------------------------------------------------------- compose

    @Test
    void composeRunsThePinnedKafkaVersionAndPublishesKanalsPortsUnchanged() throws Exception {
        JsonNode services = YAML.readTree(read(DOCKER.resolve("compose.yaml"))).path("services");
        assertTrue(services.isObject() && services.size() >= 2, "services: kafka and kanal");
        JsonNode kanal = null;
        boolean kafka = false;
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            String image = service.getValue().path("image").asText(null);
            assertNotNull(image, "service " + service.getKey() + " names its image (and its tag)");
            assertPinned(image, "compose service " + service.getKey());
            if (image.startsWith("apache/kafka:")) {
                assertEquals("apache/kafka:" + kafkaVersion, image, "the project's kafka.version");
                kafka = true;
            } else if (image.startsWith("kanal:")) {
                kanal = service.getValue();
            }
        }
        assertTrue(kafka, "an apache/kafka service");
        assertNotNull(kanal, "a kanal service");
        assertEquals("kanal:" + projectVersion, kanal.path("image").asText());

        Path context = DOCKER.resolve(kanal.path("build").path("context").asText("."));
        assertEquals(DOCKER.resolve("Dockerfile").normalize(),
                context.resolve(kanal.path("build").path("dockerfile").asText("Dockerfile")).normalize(),
                "the kanal service builds docker/Dockerfile");
        assertEquals(ROOT, context.normalize(), "with the repository as its context");

        Path mounted = null;
        for (JsonNode volume : kanal.path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(CONFIG_MOUNT)) {
                mounted = DOCKER.resolve(parts[0]).normalize();
            }
        }
        assertNotNull(mounted, "the kanal service mounts a configuration at " + CONFIG_MOUNT);
        Listeners config = load(read(mounted), environment(kanal.path("environment")));

        Map<Integer, Integer> published = new HashMap<>();
        for (JsonNode port : kanal.path("ports")) {
            String[] parts = port.asText().replaceFirst("/tcp$", "").split(":");
            List<Integer> containerPorts = portRange(parts[parts.length - 1]);
            List<Integer> hostPorts = parts.length >= 2 ? portRange(parts[parts.length - 2]) : containerPorts;
            assertEquals(containerPorts.size(), hostPorts.size(), port.asText());
            for (int i = 0; i < containerPorts.size(); i++) {
                published.put(containerPorts.get(i), hostPorts.get(i));
            }
        }
        assertEquals(config.allPorts(), published.keySet(), "published container ports against " + mounted);
        for (int port : config.kafkaPorts()) {
            assertEquals(port, published.get(port), "Kanal advertises its own port " + port + ", so the host port "
                    + "must be the same");
        }
        assertEquals("localhost", config.clusters().get(0).advertisedHost(), "what clients on the host connect to");
    }

    // ---------------------------------------------------------------------------------------------- Kubernetes

    @TestFactory
    Stream<DynamicTest> everyKubernetesManifestIsValidAndAgreesWithItsConfiguration() throws IOException {
        List<Path> manifests;
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            manifests = files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(List.of("scale-out.yaml", "sidecar.yaml"),
                manifests.stream().map(file -> file.getFileName().toString()).toList());
        return manifests.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                () -> checkManifest(file)));
    }

    private static void checkManifest(Path file) throws Exception {
        List<JsonNode> documents = documents(read(file));
        Map<String, JsonNode> configMaps = new HashMap<>();
        List<JsonNode> services = new ArrayList<>();
        List<JsonNode> workloads = new ArrayList<>();
        for (JsonNode document : documents) {
            String kind = document.path("kind").asText();
            assertFalse(kind.isEmpty() || document.path("apiVersion").asText().isEmpty(),
                    "every document has apiVersion and kind: " + document);
            switch (kind) {
                case "ConfigMap" -> configMaps.put(document.path("metadata").path("name").asText(), document);
                case "Service" -> services.add(document);
                case "Deployment", "StatefulSet", "DaemonSet" -> workloads.add(document);
                default -> { }
            }
        }
        assertFalse(workloads.isEmpty(), "a workload in " + file);
        boolean sawKanal = false;
        for (JsonNode workload : workloads) {
            JsonNode pod = workload.path("spec").path("template").path("spec");
            List<JsonNode> containers = new ArrayList<>();
            pod.path("initContainers").forEach(containers::add);
            pod.path("containers").forEach(containers::add);
            for (JsonNode container : containers) {
                String image = container.path("image").asText(null);
                assertNotNull(image, "container " + container.path("name").asText() + " names its image");
                assertPinned(image, "container " + container.path("name").asText() + " in " + file);
                if (image.startsWith("apache/kafka:")) {
                    assertEquals("apache/kafka:" + kafkaVersion, image, "the project's kafka.version");
                }
                if (image.startsWith("kanal:") || image.contains("/kanal:")) {
                    sawKanal = true;
                    assertEquals(projectVersion, image.substring(image.lastIndexOf(':') + 1), image);
                    checkKanalContainer(file, workload, pod, container, containers, configMaps, services);
                }
            }
        }
        assertTrue(sawKanal, "a Kanal container in " + file);
    }

    private static void checkKanalContainer(Path file, JsonNode workload, JsonNode pod, JsonNode container,
                                            List<JsonNode> containers, Map<String, JsonNode> configMaps,
                                            List<JsonNode> services) throws Exception {
        String where = file.getFileName() + ", container " + container.path("name").asText();

        // The configuration: the ConfigMap mounted at /etc/kanal, run by --config.
        List<String> args = new ArrayList<>();
        container.path("args").forEach(arg -> args.add(arg.asText()));
        assertTrue(args.isEmpty() || args.equals(List.of("--config", CONFIG_MOUNT)), where + ": args " + args);
        String configMapName = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals("/etc/kanal")) {
                for (JsonNode volume : pod.path("volumes")) {
                    if (volume.path("name").asText().equals(mount.path("name").asText())) {
                        configMapName = volume.path("configMap").path("name").asText(null);
                    }
                }
            }
        }
        assertNotNull(configMapName, where + ": a ConfigMap mounted at /etc/kanal");
        JsonNode configMap = configMaps.get(configMapName);
        assertNotNull(configMap, where + ": ConfigMap " + configMapName + " is in the same file");
        String yaml = configMap.path("data").path("kanal.yaml").asText(null);
        assertNotNull(yaml, where + ": ConfigMap " + configMapName + " has kanal.yaml");
        Map<String, String> env = kubernetesEnvironment(container.path("env"));
        Listeners config = load(yaml, env);

        // Probes: /livez and /readyz on the admin server, which must listen where the kubelet reaches it.
        Map<String, Integer> namedPorts = new LinkedHashMap<>();
        Set<Integer> declared = new TreeSet<>();
        for (JsonNode port : container.path("ports")) {
            declared.add(port.path("containerPort").asInt());
            if (port.has("name")) {
                namedPorts.put(port.path("name").asText(), port.path("containerPort").asInt());
            }
        }
        int adminPort = config.admin().listen().port();
        assertTrue(config.admin().enabled(), where + ": the admin server serves the probes");
        assertFalse(isLoopback(config.admin().listen().host()), where + ": the admin server must listen on the Pod's "
                + "address for the kubelet's probes, not " + config.admin().listen());
        assertEquals("/livez", container.path("livenessProbe").path("httpGet").path("path").asText(), where);
        assertEquals("/readyz", container.path("readinessProbe").path("httpGet").path("path").asText(), where);
        assertEquals(adminPort, probePort(container.path("livenessProbe"), namedPorts), where + ": liveness port");
        assertEquals(adminPort, probePort(container.path("readinessProbe"), namedPorts), where + ": readiness port");

        // Container ports: every port reachable on the Pod's address, and no other.
        assertEquals(config.podAddressPorts(), declared, where + ": containerPorts against the configuration");

        // Security and resources.
        assertTrue(container.path("securityContext").path("runAsNonRoot").asBoolean(false)
                        || pod.path("securityContext").path("runAsNonRoot").asBoolean(false),
                where + ": runAsNonRoot");
        assertFalse(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true),
                where + ": allowPrivilegeEscalation: false");
        assertTrue(container.path("resources").path("requests").has("memory")
                && container.path("resources").path("limits").has("memory"), where + ": memory request and limit");

        for (VirtualClusterConfig cluster : config.clusters()) {
            if (isLoopback(cluster.bootstrap().host())) {
                // A sidecar: the Pod's other containers connect to it on localhost.
                String address = cluster.bootstrap().port() + "";
                boolean used = containers.stream().filter(other -> other != container)
                        .anyMatch(other -> other.toString().contains("localhost:" + address)
                                || other.toString().contains("127.0.0.1:" + address));
                assertTrue(used, where + ": another container of the Pod connects to localhost:" + address);
            } else {
                checkService(where, workload, cluster, config, services, env);
            }
        }
    }

    /** A virtual cluster on the Pod's address is reached through a Service that keeps every port as it is. */
    private static void checkService(String where, JsonNode workload, VirtualClusterConfig cluster, Listeners config,
                                     List<JsonNode> services, Map<String, String> env) {
        JsonNode labels = workload.path("spec").path("template").path("metadata").path("labels");
        JsonNode service = services.stream().filter(candidate -> {
            JsonNode selector = candidate.path("spec").path("selector");
            boolean matches = selector.size() > 0;
            for (Map.Entry<String, JsonNode> label : selector.properties()) {
                matches &= label.getValue().asText().equals(labels.path(label.getKey()).asText(null));
            }
            return matches;
        }).findFirst().orElseThrow(() -> new AssertionError(where + ": no Service selects the Pods of virtual "
                + "cluster " + cluster.name()));
        String name = service.path("metadata").path("name").asText();
        assertEquals(name + "." + env.get("POD_NAMESPACE") + ".svc.cluster.local", cluster.advertisedHost(),
                where + ": clients must come back through the Service, so advertisedHost is its DNS name");
        Set<Integer> servicePorts = new TreeSet<>();
        for (JsonNode port : service.path("spec").path("ports")) {
            int number = port.path("port").asInt();
            servicePorts.add(number);
            assertEquals(number, port.path("targetPort").asInt(-1), where + ": Service " + name + " port " + number
                    + " must reach the same port number on the Pod: Kanal advertises its own ports");
        }
        assertEquals(config.kafkaPorts(cluster), servicePorts, where + ": Service " + name + " exposes the bootstrap "
                + "port and every broker port of " + cluster.name());
        assertTrue(workload.path("spec").path("replicas").asInt(1) > 1, where + ": scaled out behind the Service");
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** What a configuration listens on. */
    record Listeners(List<VirtualClusterConfig> clusters, AdminSettings admin) {

        Set<Integer> kafkaPorts(VirtualClusterConfig cluster) {
            Set<Integer> ports = new TreeSet<>();
            int bootstrap = cluster.bootstrap().port();
            for (int port = bootstrap; port <= bootstrap + cluster.nodeIds().size(); port++) {
                ports.add(port);
            }
            return ports;
        }

        Set<Integer> kafkaPorts() {
            Set<Integer> ports = new TreeSet<>();
            clusters.forEach(cluster -> ports.addAll(kafkaPorts(cluster)));
            return ports;
        }

        Set<Integer> allPorts() {
            Set<Integer> ports = new TreeSet<>(kafkaPorts());
            if (admin.enabled()) {
                ports.add(admin.listen().port());
            }
            return ports;
        }

        /** The ports listening on an address other containers and hosts can reach. */
        Set<Integer> podAddressPorts() {
            Set<Integer> ports = new TreeSet<>();
            clusters.stream().filter(cluster -> !isLoopback(cluster.bootstrap().host()))
                    .forEach(cluster -> ports.addAll(kafkaPorts(cluster)));
            if (admin.enabled() && !isLoopback(admin.listen().host())) {
                ports.add(admin.listen().port());
            }
            return ports;
        }
    }

    private static Listeners bakedInConfig() {
        try {
            return load(read(DOCKER.resolve("kanal.yaml")),
                    Map.of("KANAL_ADVERTISED_HOST", "kanal.example", "KAFKA_BOOTSTRAP", "kafka:9092"));
        } catch (ConfigException e) {
            throw new AssertionError("docker/kanal.yaml: " + e.getMessage(), e);
        }
    }

    private static Listeners load(String yaml, Map<String, String> environment) throws ConfigException {
        try (ConfigLoader loader = new ConfigLoader(environment::get)) {
            KanalConfig config = loader.parseAll(yaml);
            return new Listeners(config.proxy().virtualClusters(), config.admin());
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static void assertPinned(String image, String where) {
        String reference = image;
        int at = reference.indexOf('@');
        if (at >= 0) {
            assertTrue(DIGEST.matcher(reference.substring(at + 1)).matches(), where + ": bad digest in " + image);
            return;
        }
        int colon = reference.lastIndexOf(':');
        assertTrue(colon > reference.lastIndexOf('/'), where + ": image " + image + " has no tag, so it is `latest`");
        String tag = reference.substring(colon + 1);
        assertFalse(tag.equals("latest"), where + ": image " + image);
        assertTrue(PINNED_TAG.matcher(tag).matches(), where + ": image " + image + " must be pinned to an exact "
                + "version (such as 1.2.3), not a moving tag");
    }

    private static int probePort(JsonNode probe, Map<String, Integer> namedPorts) {
        JsonNode port = probe.path("httpGet").path("port");
        if (port.isInt()) {
            return port.asInt();
        }
        Integer named = namedPorts.get(port.asText());
        assertNotNull(named, "probe port " + port + " names no container port");
        return named;
    }

    /** A container's environment as Kubernetes makes it: {@code $(VAR)} refers to an earlier variable. */
    private static Map<String, String> kubernetesEnvironment(JsonNode env) {
        Map<String, String> values = new LinkedHashMap<>();
        Pattern reference = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
        for (JsonNode variable : env) {
            String name = variable.path("name").asText();
            String value;
            if (variable.has("value")) {
                Matcher matcher = reference.matcher(variable.path("value").asText());
                StringBuilder expanded = new StringBuilder();
                while (matcher.find()) {
                    String earlier = values.get(matcher.group(1));
                    matcher.appendReplacement(expanded, Matcher.quoteReplacement(
                            earlier != null ? earlier : matcher.group()));
                }
                value = matcher.appendTail(expanded).toString();
            } else if (variable.path("valueFrom").path("fieldRef").path("fieldPath").asText()
                    .equals("metadata.namespace")) {
                value = "test-namespace";
            } else {
                value = "value-of-" + name;
            }
            values.put(name, value);
        }
        return values;
    }

    /** A compose service's {@code environment}, as a map or as a list of {@code NAME=value}. */
    private static Map<String, String> environment(JsonNode environment) {
        Map<String, String> values = new HashMap<>();
        if (environment.isObject()) {
            environment.properties().forEach(entry -> values.put(entry.getKey(), entry.getValue().asText()));
        } else {
            for (JsonNode entry : environment) {
                String[] parts = entry.asText().split("=", 2);
                values.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return values;
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (iterator.hasNext()) {
                JsonNode document = iterator.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    private static List<Integer> portRange(String text) {
        String[] bounds = text.split("-");
        int first = Integer.parseInt(bounds[0]);
        int last = bounds.length > 1 ? Integer.parseInt(bounds[1]) : first;
        List<Integer> ports = new ArrayList<>();
        for (int port = first; port <= last; port++) {
            ports.add(port);
        }
        return ports;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file + ": " + e, e);
        }
    }

    private static String childText(Element parent, String name) {
        return childElement(parent, name).getTextContent().trim();
    }

    private static Element childElement(Element parent, String name) {
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        throw new AssertionError("no <" + name + "> in <" + parent.getTagName() + "> of the root pom.xml");
    }

    // ---------------------------------------------------------------------------------------------- Dockerfile parsing

    /** One instruction, its continuation lines joined. */
    record Instruction(String keyword, String arguments) {
    }

    /** A build stage: its {@code FROM} image, its alias, and its instructions. */
    record Stage(String image, Optional<String> alias, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(instruction -> instruction.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> all = all(keyword);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        }
    }

    private static List<Stage> stages(String dockerfile) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : dockerfile.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String text = pending.toString().strip();
            pending.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            String[] parts = text.split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : ""));
        }
        assertEquals(0, pending.length(), "the Dockerfile ends inside a continued line");
        List<Stage> stages = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("FROM")) {
                String[] words = instruction.arguments().replaceAll("--platform=\\S+\\s*", "").split("\\s+");
                Optional<String> alias = words.length == 3 && words[1].equalsIgnoreCase("AS")
                        ? Optional.of(words[2]) : Optional.empty();
                stages.add(new Stage(words[0], alias, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                assertTrue(instruction.keyword().equals("ARG"), "only ARG may come before the first FROM");
            } else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        assertFalse(stages.isEmpty(), "no FROM in the Dockerfile");
        return stages;
    }

    /** An instruction's words after its {@code --flags}. */
    private static List<String> words(Instruction instruction) {
        return Stream.of(instruction.arguments().split("\\s+")).filter(word -> !word.startsWith("--")).toList();
    }

    private static Optional<String> flag(Instruction instruction, String name) {
        return Stream.of(instruction.arguments().split("\\s+")).filter(word -> word.startsWith("--" + name + "="))
                .map(word -> word.substring(name.length() + 3)).findFirst();
    }

    /** The JSON-array (exec) form of CMD, ENTRYPOINT or VOLUME; fails on the shell form. */
    private static List<String> execForm(Instruction instruction) {
        assertTrue(instruction.arguments().startsWith("["), instruction.keyword() + " in exec form (a JSON array) so "
                + "that no shell stands between the signal and the process: " + instruction.arguments());
        return parseJsonArray(instruction.arguments());
    }

    private static List<String> parseJsonArray(String json) {
        try {
            List<String> values = new ArrayList<>();
            new ObjectMapper().readTree(json).forEach(value -> values.add(value.asText()));
            return values;
        } catch (IOException e) {
            fail("not a JSON array: " + json);
            return List.of();
        }
    }

    private static Map<String, String> env(Stage stage) {
        Map<String, String> values = new HashMap<>();
        Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
        for (Instruction env : stage.all("ENV")) {
            Matcher matcher = pair.matcher(env.arguments());
            while (matcher.find()) {
                values.put(matcher.group(1), matcher.group(2).replaceAll("^\"|\"$", ""));
            }
        }
        return values;
    }
}
