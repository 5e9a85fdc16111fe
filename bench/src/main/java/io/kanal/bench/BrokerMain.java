package io.kanal.bench;

import io.kanal.app.embedded.EmbeddedKafkaBroker;

import java.io.IOException;

/**
 * The bench's broker process: starts an {@link EmbeddedKafkaBroker} (single-node KRaft, data in a temporary
 * directory), prints {@value #READY_PREFIX}{@code host:port data-directory} on stdout, and runs until its standard
 * input ends, which happens when the bench closes it or dies, so a broker never outlives its bench.
 *
 * <p>A deleted topic's files are removed within a tenth of a second ({@code log.segment.delete.delay.ms=100})
 * rather than Kafka's minute later, so that the bench can wait for the removal of a run's gigabytes before the next
 * run instead of having it land in the middle of one. Not 0: Kafka's deletion task would then reschedule itself
 * without pause.
 *
 * <p>Arguments {@code PORT HOST:PORT}, when given, add the listener the TCP relay forwards to: it listens on
 * {@code PORT} and sends its clients to the relay at {@code HOST:PORT}.
 */
public final class BrokerMain {

    /** Starts the line that tells the bench where the broker listens. */
    static final String READY_PREFIX = "KANAL-BENCH-BROKER ";
    /** The name of the listener behind the relay. */
    static final String RELAY_LISTENER = "RELAY";

    private BrokerMain() {
    }

    public static void main(String[] args) throws IOException {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .brokerProperty("log.segment.delete.delay.ms", "100")
                // Kafka starts its file deletion task 30 s after start-up, which would hold up the first wait.
                .brokerProperty("log.initial.task.delay.ms", "0");
        if (args.length == 2) {
            broker.addListener(RELAY_LISTENER, Integer.parseInt(args[0]), args[1]);
        } else if (args.length != 0) {
            throw new IllegalArgumentException("usage: BrokerMain [RELAY-LISTENER-PORT RELAY-HOST:PORT]");
        }
        broker.start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        System.out.println(READY_PREFIX + broker.bootstrapServers() + " " + broker.dataDirectory());
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the end of input
        }
        System.exit(0);
    }
}
