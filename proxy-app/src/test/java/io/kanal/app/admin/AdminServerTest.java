package io.kanal.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanal.app.metrics.KanalMetrics;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.server.ProxyStartException;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Readiness readiness = new Readiness();
    private final AtomicReference<JsonNode> config = new AtomicReference<>();
    private KanalMetrics metrics;
    private AdminServer server;

    @BeforeEach
    void start() {
        metrics = KanalMetrics.create();
        server = AdminServer.start(new HostPort("127.0.0.1", 0), metrics.registry(), readiness, config::get);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void livezAnswersOk() throws Exception {
        HttpResponse<String> response = get("/livez");

        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body().strip());
        assertEquals("text/plain; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void readyzSaysWhyNotUntilListenersAreBoundAndTargetsAnswered() throws Exception {
        HttpResponse<String> starting = get("/readyz");
        assertEquals(503, starting.statusCode());
        assertEquals("not ready: the virtual clusters' listeners are not bound yet", starting.body().strip());

        AtomicReference<List<String>> waiting =
                new AtomicReference<>(List.of("target cluster k:9092 of virtual cluster 'a'"));
        readiness.listening(waiting::get);
        HttpResponse<String> waitingForTarget = get("/readyz");
        assertEquals(503, waitingForTarget.statusCode());
        assertEquals("not ready: target cluster k:9092 of virtual cluster 'a' has not answered yet",
                waitingForTarget.body().strip());

        waiting.set(List.of());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode());
        assertEquals("ok", ready.body().strip());

        readiness.stopping();
        HttpResponse<String> stopping = get("/readyz");
        assertEquals(503, stopping.statusCode());
        assertEquals("not ready: shutting down", stopping.body().strip());
        assertEquals(200, get("/livez").statusCode(), "live while shutting down");
    }

    @Test
    void metricsShowsRegisteredMetersAndTheJvmsInPrometheusText() throws Exception {
        Counter.builder("kanal.test.things").tag("virtual_cluster", "a").register(metrics.registry()).increment(3);

        HttpResponse<String> response = get("/metrics");

        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("content-type").orElseThrow());
        String body = response.body();
        assertTrue(body.contains("kanal_test_things_total{virtual_cluster=\"a\"} 3.0\n"), body);
        assertTrue(body.contains("# TYPE kanal_test_things_total counter"), body);
        for (String jvmMetric : List.of("jvm_memory_used_bytes{", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "process_uptime_seconds ", "system_cpu_count ",
                "jvm_gc_memory_allocated_bytes_total ", "netty_allocator_memory_used{")) {
            assertTrue(body.contains(jvmMetric), jvmMetric + " missing from:\n" + body);
        }
    }

    @Test
    void metricsSpeaksOpenMetricsWhenAskedTo() throws Exception {
        Counter.builder("kanal.test.things").register(metrics.registry()).increment();

        HttpResponse<String> response = http.send(request("/metrics")
                .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
                .build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
                response.headers().firstValue("content-type").orElseThrow());
        assertTrue(response.body().contains("kanal_test_things_total 1.0"), response.body());
        assertTrue(response.body().endsWith("# EOF\n"), response.body());
    }

    @Test
    void configShowsTheDocumentWithSecretsRedacted() throws Exception {
        assertEquals(503, get("/config").statusCode(), "before the configuration is known");
        config.set(JSON.readTree("""
                {"virtualClusters": [{"name": "a", "target": {"bootstrapServers": ["k:9092"],
                  "sasl.jaas.config": "... password=\\"hunter2\\";"}}],
                 "admin": {"enabled": true, "listen": "127.0.0.1:9190"}}
                """));

        HttpResponse<String> response = get("/config");

        assertEquals(200, response.statusCode());
        assertEquals("application/json; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
        assertFalse(response.body().contains("hunter2"), response.body());
        JsonNode shown = JSON.readTree(response.body());
        assertEquals("[redacted]", shown.at("/virtualClusters/0/target/sasl.jaas.config").asText());
        assertEquals("k:9092", shown.at("/virtualClusters/0/target/bootstrapServers/0").asText());
        assertEquals("127.0.0.1:9190", shown.at("/admin/listen").asText());
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        HttpResponse<String> notFound = get("/nope");
        assertEquals(404, notFound.statusCode());
        assertTrue(notFound.body().contains("/metrics"), notFound.body());
        assertEquals(404, get("/metrics/extra").statusCode());
        assertEquals(200, get("/metrics?name[]=jvm_threads_live_threads").statusCode(), "query strings are ignored");

        for (String method : List.of("POST", "PUT", "DELETE", "HEAD")) {
            HttpResponse<String> response = http.send(request("/livez")
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, response.statusCode(), method);
            assertEquals("GET", response.headers().firstValue("allow").orElseThrow(), method);
        }
    }

    @Test
    void refusesALargeRequestBody() throws Exception {
        HttpResponse<String> response = http.send(request("/livez")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[AdminServer.MAX_REQUEST_BODY_BYTES + 1]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(413, response.statusCode());
    }

    @Test
    void answersSeveralRequestsOnOneConnectionAndClosesWhenAsked() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            String twoRequests = "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            out.write(twoRequests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String responses = new String(in.readAllBytes(), StandardCharsets.US_ASCII);

            assertEquals(2, responses.split("HTTP/1.1 200 OK", -1).length - 1, responses);
        }
    }

    @Test
    void reportsAnAddressItCannotBind() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            HostPort address = new HostPort("127.0.0.1", taken.getLocalPort());

            ProxyStartException e = assertThrows(ProxyStartException.class,
                    () -> AdminServer.start(address, metrics.registry(), readiness, config::get));

            assertTrue(e.getMessage().startsWith("the admin server cannot listen on " + address + ": "),
                    e.getMessage());
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10));
    }
}
