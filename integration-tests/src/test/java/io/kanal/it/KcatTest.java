package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kcat, a librdkafka client, through the proxy: a second, independent implementation of the protocol, with its own
 * choice of API versions and its own metadata handling.
 *
 * <p>Skipped where kcat is not installed, except on CI (environment variable CI set), which installs it and where a
 * missing kcat must not turn into a silently skipped test.
 */
@SharedCluster
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KcatTest {

    private static final int LINES = 500;
    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(60);

    private static Path kcat;
    private static KanalProcess proxy;

    @BeforeAll
    static void startProxy(KafkaCluster cluster) throws Exception {
        kcat = ChildProcess.kcat();
        proxy = KanalProcess.passthroughExample(cluster);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void linesProducedWithKcatAreConsumedWithKcat(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "kcat", 3);
        }
        List<String> lines = IntStream.range(0, LINES).mapToObj(i -> "kcat line " + i).toList();

        ChildProcess.Result produced = ChildProcess.run(
                List.of(kcat.toString(), "-P", "-b", proxy.bootstrapServers(), "-t", topic),
                String.join("\n", lines) + "\n", KCAT_TIMEOUT);
        assertEquals(0, produced.exitCode(), produced::describe);

        // -e: exit once every partition is read to its end; -q: no informational lines mixed into the output.
        ChildProcess.Result consumed = ChildProcess.run(
                List.of(kcat.toString(), "-C", "-b", proxy.bootstrapServers(), "-t", topic, "-o", "beginning", "-e", "-q"),
                "", KCAT_TIMEOUT);
        assertEquals(0, consumed.exitCode(), consumed::describe);
        assertEquals(sorted(lines), sorted(consumed.stdoutLines()), consumed::describe);
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().collect(Collectors.toList());
    }
}
