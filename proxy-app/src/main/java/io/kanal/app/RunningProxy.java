package io.kanal.app;

import io.kanal.app.admin.AdminPlane;
import io.kanal.app.config.ConfigLoader;
import io.kanal.app.embedded.EmbeddedKafkaBroker;
import io.kanal.app.reload.ConfigReloader;
import io.kanal.mesh.Mesh;
import io.kanal.proxy.server.ProxyServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A started proxy, the mesh beside it when configured, and, in the embedded demo, the broker behind it. They stop
 * together, proxy and mesh first so that requests still in flight can reach the brokers while they finish. The admin plane reports not ready as soon as stopping
 * begins and closes last, so that {@code /livez} answers until the end.
 */
final class RunningProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunningProxy.class);

    private final ProxyServer server;
    private final Optional<Mesh> mesh;
    private final Optional<EmbeddedKafkaBroker> broker;
    private final AdminPlane admin;
    /** The loader that made the proxy's filters, which closes them once the proxy no longer calls them. */
    private final Optional<ConfigLoader> filters;
    /** Reloads the configuration file; stopped before anything else, so that no reload runs during shutdown. */
    private final Optional<ConfigReloader> reloader;
    private final CountDownLatch closed = new CountDownLatch(1);

    RunningProxy(ProxyServer server, Optional<Mesh> mesh, Optional<EmbeddedKafkaBroker> broker, AdminPlane admin) {
        this(server, mesh, broker, admin, Optional.empty(), Optional.empty());
    }

    RunningProxy(ProxyServer server, Optional<Mesh> mesh, Optional<EmbeddedKafkaBroker> broker, AdminPlane admin,
                 Optional<ConfigLoader> filters, Optional<ConfigReloader> reloader) {
        this.server = server;
        this.mesh = mesh;
        this.broker = broker;
        this.admin = admin;
        this.filters = filters;
        this.reloader = reloader;
    }

    /** Blocks until {@link #close()} has finished. */
    void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Closes the proxy and the mesh gracefully, then the broker behind them. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        reloader.ifPresent(ConfigReloader::close);
        admin.stopping();
        try {
            try {
                server.close();
            } finally {
                mesh.ifPresent(Mesh::close);
            }
        } finally {
            try {
                filters.ifPresent(ConfigLoader::close);
                broker.ifPresent(EmbeddedKafkaBroker::close);
            } finally {
                admin.close();
            }
            LOG.info("Kanal stopped");
            closed.countDown();
        }
    }
}
