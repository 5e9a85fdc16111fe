package io.kanal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Kafka's own console producer and consumer, run as users run them (separate JVMs, default settings), pointed at the
 * proxy: lines piped into the producer come back out of the consumer.
 */
@SharedCluster
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConsoleToolsTest {

    private static final int LINES = 200;
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(90);

    private static KanalProcess proxy;

    @BeforeAll
    static void startProxy(KafkaCluster cluster) throws Exception {
        proxy = KanalProcess.passthroughExample(cluster);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void linesPipedIntoConsoleProducerComeOutOfConsoleConsumer(KafkaCluster cluster) throws Exception {
        String topic;
        try (Admin admin = cluster.directAdmin()) {
            topic = Topics.create(admin, "console", 3);
        }
        List<String> lines = IntStream.range(0, LINES).mapToObj(i -> "console line " + i).toList();

        ChildProcess.Result produced = ChildProcess.run(ChildProcess.java("org.apache.kafka.tools.ConsoleProducer",
                        "--bootstrap-server", proxy.bootstrapServers(), "--topic", topic),
                String.join("\n", lines) + "\n", TOOL_TIMEOUT);
        assertEquals(0, produced.exitCode(), produced::describe);

        ChildProcess.Result consumed = ChildProcess.run(ChildProcess.java("org.apache.kafka.tools.consumer.ConsoleConsumer",
                        "--bootstrap-server", proxy.bootstrapServers(), "--topic", topic,
                        "--from-beginning", "--max-messages", Integer.toString(LINES),
                        // Exit instead of waiting forever if fewer lines than expected come back.
                        "--timeout-ms", "60000"),
                "", TOOL_TIMEOUT);
        assertEquals(0, consumed.exitCode(), consumed::describe);
        // Lines spread over three partitions come back in partition order, not send order: compare as sorted lists,
        // which still catches every lost, duplicated or altered line.
        assertEquals(sorted(lines), sorted(consumed.stdoutLines()), consumed::describe);
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().collect(Collectors.toList());
    }
}
