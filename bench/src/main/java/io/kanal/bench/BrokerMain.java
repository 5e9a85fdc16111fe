package io.kanal.bench;

import io.kanal.app.embedded.EmbeddedKafkaBroker;

import java.io.IOException;

/**
 * The bench's broker process: starts an {@link EmbeddedKafkaBroker} (single-node KRaft, data in a temporary
 * directory), prints {@value #READY_PREFIX}{@code host:port} on stdout, and runs until its standard input ends,
 * which happens when the bench closes it or dies, so a broker never outlives its bench.
 */
public final class BrokerMain {

    /** Starts the line that tells the bench where the broker listens. */
    static final String READY_PREFIX = "KANAL-BENCH-BROKER ";

    private BrokerMain() {
    }

    public static void main(String[] args) throws IOException {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker();
        broker.start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        System.out.println(READY_PREFIX + broker.bootstrapServers());
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the end of input
        }
        System.exit(0);
    }
}
