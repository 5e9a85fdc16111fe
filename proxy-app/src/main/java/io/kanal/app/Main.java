package io.kanal.app;

import io.kanal.app.admin.AdminPlane;
import io.kanal.app.admin.AdminSettings;
import io.kanal.app.admin.EffectiveConfig;
import io.kanal.app.config.ConfigException;
import io.kanal.app.config.ConfigLoader;
import io.kanal.app.config.KanalConfig;
import io.kanal.app.credentials.CredentialsCommand;
import io.kanal.app.embedded.EmbeddedBrokerException;
import io.kanal.app.embedded.EmbeddedKafkaBroker;
import io.kanal.app.metrics.KanalMetrics;
import io.kanal.app.reload.ConfigReloader;
import io.kanal.app.reload.ReloadSignal;
import io.kanal.mesh.Mesh;
import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.NodeIdRange;
import io.kanal.proxy.config.ProxyConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.server.ProxyServer;
import io.kanal.proxy.server.ProxyStartException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@code kanal} command: starts the proxy described by {@code --config FILE}, or the embedded demo without it,
 * and runs until the JVM is told to stop, closing the proxy gracefully from a shutdown hook.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_CANNOT_START = 1;
    static final int EXIT_USAGE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final String EMBEDDED_CLUSTER = "embedded";

    private final PrintStream out;
    private final PrintStream err;
    private final Function<String, String> environment;
    private final Consumer<Runnable> shutdownHooks;
    private final Consumer<Runnable> reloadSignals;

    /** A command whose configuration reloads only when its file changes: no SIGHUP handler is installed. */
    Main(PrintStream out, PrintStream err, Function<String, String> environment, Consumer<Runnable> shutdownHooks) {
        this(out, err, environment, shutdownHooks, action -> { });
    }

    /**
     * @param out           the command's own output
     * @param err           where errors are reported
     * @param environment   environment variables for the configuration
     * @param shutdownHooks registers an action to run when the process is told to stop
     * @param reloadSignals registers an action to run when the process is told to reload its configuration (SIGHUP);
     *                      only used with {@code --config}
     */
    Main(PrintStream out, PrintStream err, Function<String, String> environment, Consumer<Runnable> shutdownHooks,
         Consumer<Runnable> reloadSignals) {
        this.out = out;
        this.err = err;
        this.environment = environment;
        this.shutdownHooks = shutdownHooks;
        this.reloadSignals = reloadSignals;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command in this process and returns its exit code once the proxy has stopped. */
    static int run(String... args) {
        return new Main(System.out, System.err, System::getenv,
                action -> Runtime.getRuntime().addShutdownHook(new Thread(action, "kanal-shutdown")),
                ReloadSignal::onHangUp)
                .execute(args);
    }

    /** Runs the command and returns its exit code once the proxy has stopped. */
    int execute(String... args) {
        if (args.length > 0 && args[0].equals(CredentialsCommand.NAME)) {
            return new CredentialsCommand(System.in, out, err, System.console())
                    .run(Arrays.copyOfRange(args, 1, args.length));
        }
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args);
        } catch (UsageException e) {
            err.println("kanal: " + e.getMessage());
            err.println(CommandLine.SYNOPSIS);
            return EXIT_USAGE;
        }
        if (commandLine.help()) {
            out.print(CommandLine.HELP);
            return EXIT_OK;
        }
        RunningProxy proxy;
        try {
            proxy = commandLine.configFile().isPresent()
                    ? startConfigured(commandLine.configFile().get(), commandLine.pluginsDirectory())
                    : startEmbedded(commandLine.embeddedPort(), commandLine.embeddedAdminPort());
        } catch (ConfigException e) {
            err.println("kanal: config error: " + e.getMessage());
            return EXIT_USAGE;
        } catch (ProxyStartException | EmbeddedBrokerException e) {
            LOG.debug("Start-up failed", e);
            err.println("kanal: cannot start: " + e.getMessage());
            return EXIT_CANNOT_START;
        } catch (RuntimeException e) {
            // Not a failure start-up anticipates, so the stack trace is worth having.
            LOG.error("Start-up failed", e);
            err.println("kanal: cannot start: " + e);
            return EXIT_CANNOT_START;
        }
        shutdownHooks.accept(proxy::close);
        try {
            proxy.awaitClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            proxy.close();
        }
        return EXIT_OK;
    }

    /** @param pluginsDirectory {@code --plugins}: where plugin jars are, instead of {@code plugins.directory} */
    private RunningProxy startConfigured(Path configFile, Optional<Path> pluginsDirectory) throws ConfigException {
        KanalMetrics metrics = KanalMetrics.create();
        // Owns the filters it makes: they close after the proxy has stopped, or here if it never starts.
        ConfigLoader filters = new ConfigLoader(environment, metrics.registry(), pluginsDirectory);
        // Taken first: should the file change while it loads, the reloader sees a difference and loads it again.
        byte[] loadedContent = ConfigReloader.digest(configFile);
        KanalConfig config;
        try {
            config = filters.loadAll(configFile);
        } catch (ConfigException | RuntimeException e) {
            filters.close();
            metrics.close();
            throw e;
        }
        // Before the proxy, so that /livez answers and /readyz says why not yet while it starts.
        AdminPlane admin;
        try {
            admin = AdminPlane.start(config.admin(), metrics);
        } catch (RuntimeException e) {
            filters.close();
            throw e;
        }
        ProxyServer server;
        Optional<Mesh> mesh = Optional.empty();
        try {
            admin.showConfig(EffectiveConfig.of(config));
            server = ProxyServer.start(config.proxy(), admin.meterRegistry());
            try {
                mesh = config.mesh().map(meshConfig -> Mesh.start(meshConfig, config.proxy(), admin.meterRegistry()));
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            admin.serving(config.proxy(), mesh.<Supplier<List<String>>>map(running -> running::waitingFor)
                    .orElse(List::of));
        } catch (RuntimeException e) {
            filters.close();
            admin.close();
            throw e;
        }
        ConfigReloader reloader = new ConfigReloader(configFile, loadedContent, filters, config, server, admin);
        RunningProxy proxy = new RunningProxy(server, mesh, Optional.empty(), admin, Optional.of(filters),
                Optional.of(reloader));
        reloader.start();
        reloadSignals.accept(() -> reloader.requestReload("SIGHUP"));
        return proxy;
    }

    /** @param adminPort the admin server's port on the loopback address; 0 runs none */
    private RunningProxy startEmbedded(int port, int adminPort) {
        AdminSettings adminSettings = adminPort == 0
                ? AdminSettings.DISABLED
                : new AdminSettings(true, new HostPort(LOOPBACK, adminPort));
        AdminPlane admin = AdminPlane.start(adminSettings, KanalMetrics.create());
        out.println("No --config given: starting an embedded Kafka broker to proxy...");
        out.flush();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker();
        ProxyServer server;
        try {
            broker.start();
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
        try {
            ProxyConfig config = ProxyConfig.of(List.of(new VirtualClusterConfig(
                    EMBEDDED_CLUSTER,
                    new HostPort(LOOPBACK, port),
                    LOOPBACK,
                    new NodeIdRange(EmbeddedKafkaBroker.NODE_ID, EmbeddedKafkaBroker.NODE_ID),
                    List.of(HostPort.parse(broker.bootstrapServers())))));
            admin.showConfig(EffectiveConfig.of(null, config, adminSettings));
            server = ProxyServer.start(config, admin.meterRegistry());
            admin.serving(config);
        } catch (RuntimeException e) {
            broker.close();
            admin.close();
            throw e;
        }
        printConnectInstructions(server.bootstrapAddress(EMBEDDED_CLUSTER), admin.url());
        return new RunningProxy(server, Optional.empty(), Optional.of(broker), admin);
    }

    private void printConnectInstructions(InetSocketAddress bootstrap, Optional<String> adminUrl) {
        String address = bootstrap.getHostString() + ":" + bootstrap.getPort();
        out.println("Kanal is running in front of an embedded single-node Kafka broker.");
        out.println();
        out.println("  Bootstrap server: " + address);
        out.println();
        out.println("Try it:");
        out.println("  kafka-console-producer.sh --bootstrap-server " + address + " --topic demo");
        out.println("  kafka-console-consumer.sh --bootstrap-server " + address + " --topic demo --from-beginning");
        out.println("  kcat -b " + address + " -L");
        out.println();
        adminUrl.ifPresent(url -> {
            out.println("Metrics and health: " + url + "/metrics, " + url + "/readyz (admin server; --admin-port "
                    + "moves it, 0 turns it off)");
            out.println();
        });
        out.println("Stop with Ctrl+C; the broker's data is deleted on exit.");
        out.flush();
    }
}
