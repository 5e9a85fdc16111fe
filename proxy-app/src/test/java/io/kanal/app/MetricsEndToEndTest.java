package io.kanal.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanal.proxy.testing.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded demo as {@code kanal --port P --admin-port A} runs it: produce through the proxy, then check that the
 * admin server's {@code /metrics} counted exactly the Produce requests the producer sent.
 */
class MetricsEndToEndTest {

    private static final String TOPIC = "metrics-e2e";
    private static final int RECORDS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void countsEveryProduceRequestAndServesHealthAndConfig() throws Exception {
        // One block: the bootstrap port, its broker's port, the admin port.
        int bootstrapPort = FreePorts.consecutive(3);
        int adminPort = bootstrapPort + 2;
        String admin = "http://127.0.0.1:" + adminPort;
        String bootstrap = "127.0.0.1:" + bootstrapPort;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Runnable> shutdownHooks = new CopyOnWriteArrayList<>();
        Main main = new Main(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, name -> null,
                shutdownHooks::add);

        CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> main.execute(
                "--port", Integer.toString(bootstrapPort), "--admin-port", Integer.toString(adminPort)));
        try {
            awaitReady(admin, exitCode);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains(admin + "/metrics"),
                    "the hint names the admin server: " + out.toString(StandardCharsets.UTF_8));
            assertEquals(200, get(admin + "/livez").statusCode());

            try (Admin kafkaAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                kafkaAdmin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            double retries;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 0,
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                for (int i = 0; i < RECORDS; i++) {
                    // Waiting for each record makes each its own Produce request.
                    producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
                }
                assertEquals(RECORDS, producerMetric(producer, "record-send-total"));
                retries = producerMetric(producer, "record-retry-total");
            }

            HttpResponse<String> metrics = get(admin + "/metrics");
            assertEquals(200, metrics.statusCode());
            String body = metrics.body();
            // A retried batch is one more Produce request, so the producer's own retry count settles the total.
            assertEquals(RECORDS + retries, sample(body, "kanal_requests_total", "api=\"Produce\"",
                    "virtual_cluster=\"embedded\""), body);
            assertEquals(RECORDS + retries, sample(body, "kanal_responses_total", "api=\"Produce\"",
                    "virtual_cluster=\"embedded\""), body);
            assertTrue(sample(body, "kanal_connections_total", "virtual_cluster=\"embedded\"", "side=\"client\"") > 0,
                    body);
            // The names the README documents.
            for (String name : List.of("kanal_request_bytes_total{", "kanal_response_bytes_total{",
                    "kanal_request_latency_seconds_bucket{", "kanal_upstream_latency_seconds_count{",
                    "kanal_connections_active{", "jvm_memory_used_bytes{")) {
                assertTrue(body.contains(name), name + " missing from:\n" + body);
            }

            JsonNode config = JSON.readTree(get(admin + "/config").body());
            assertEquals("embedded", config.at("/virtualClusters/0/name").asText());
            assertEquals(bootstrap, config.at("/virtualClusters/0/bootstrap").asText());
            assertEquals("127.0.0.1:" + adminPort, config.at("/admin/listen").asText());
        } finally {
            assertEquals(1, shutdownHooks.size());
            shutdownHooks.get(0).run();
        }
        assertEquals(Main.EXIT_OK, exitCode.get(60, TimeUnit.SECONDS));
        assertFalse(FreePorts.accepts(adminPort), "the admin server still listens after shutdown");
    }

    private void awaitReady(String admin, CompletableFuture<Integer> exitCode) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "nothing";
        while (System.nanoTime() < deadline) {
            assertFalse(exitCode.isDone(), "kanal exited early");
            try {
                HttpResponse<String> response = get(admin + "/readyz");
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException notListeningYet) {
                last = notListeningYet.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready within 90s; /readyz said: " + last);
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of the samples of {@code metric} whose labels include every one of {@code labels}. */
    private static double sample(String exposition, String metric, String... labels) {
        double sum = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(metric + "{")) {
                continue;
            }
            String labelText = line.substring(metric.length() + 1, line.lastIndexOf('}'));
            List<String> present = List.of(labelText.split(","));
            if (present.containsAll(List.of(labels))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError("no " + metric + " with " + List.of(labels) + " in:\n" + exposition);
        }
        return sum;
    }

    private static double producerMetric(KafkaProducer<?, ?> producer, String name) {
        for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
            if (metric.getKey().name().equals(name) && metric.getKey().group().equals("producer-metrics")) {
                return ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("the producer has no metric " + name);
    }
}
