package io.kanal.app;

import io.kanal.app.embedded.EmbeddedKafkaBroker;
import io.kanal.proxy.server.ProxyServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A started proxy and, in the embedded demo, the broker behind it. They stop together, proxy first so that requests
 * still in flight can reach the broker while they finish.
 */
final class RunningProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunningProxy.class);

    private final ProxyServer server;
    private final Optional<EmbeddedKafkaBroker> broker;
    private final CountDownLatch closed = new CountDownLatch(1);

    RunningProxy(ProxyServer server, Optional<EmbeddedKafkaBroker> broker) {
        this.server = server;
        this.broker = broker;
    }

    /** Blocks until {@link #close()} has finished. */
    void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Closes the proxy gracefully, then the broker behind it. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        try {
            server.close();
        } finally {
            broker.ifPresent(EmbeddedKafkaBroker::close);
            LOG.info("Kanal stopped");
            closed.countDown();
        }
    }
}
