package io.kanal.app.admin;

import io.kanal.proxy.config.HostPort;
import io.kanal.proxy.config.UpstreamTlsConfig;
import io.kanal.proxy.config.VirtualClusterConfig;
import io.kanal.proxy.sasl.UpstreamCredentials;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Asks each distinct target cluster, in the background, to describe itself, until it has answered once. Readiness
 * waits for every target: a proxy in front of a cluster it has never reached is not worth sending clients to.
 *
 * <p>A target that does not answer is asked again every {@link #DEFAULT_RETRY_INTERVAL}; once it has answered it is
 * not asked again, so a target that goes away later does not make the proxy unready (clients get the broker's own
 * errors then, as they would without the proxy).
 */
public final class TargetProbes implements AutoCloseable {

    /** How long after a failed attempt a target is asked again. */
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(TargetProbes.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Asks the cluster at {@code bootstrapServers}, with {@code tls} and logged in with {@code login} when present,
     * something it can only answer when it is up; throws otherwise.
     */
    @FunctionalInterface
    interface Probe {
        void probe(List<HostPort> bootstrapServers, Optional<UpstreamTlsConfig> tls,
                   Optional<UpstreamCredentials> login) throws Exception;
    }

    /** A target as the proxy reaches it: where, over what, and as whom; the same servers reached otherwise differ. */
    private record TargetKey(List<HostPort> bootstrapServers, Optional<UpstreamTlsConfig> tls,
                             Optional<UpstreamCredentials> login) {
        TargetKey(VirtualClusterConfig cluster) {
            this(cluster.targetBootstrapServers(), cluster.targetTls(), cluster.sasl().upstream());
        }
    }

    private static final class Target {
        final TargetKey key;
        final List<HostPort> bootstrapServers;
        final List<String> virtualClusters = new ArrayList<>();
        volatile boolean answered;
        int failures;

        Target(TargetKey key) {
            this.key = key;
            this.bootstrapServers = key.bootstrapServers();
        }

        String describe() {
            String clusters = virtualClusters.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "));
            String servers = bootstrapServers.stream().map(HostPort::toString).collect(Collectors.joining(","));
            return "target cluster " + servers + (key.tls().isPresent() ? " (TLS)" : "") + " of virtual cluster" + (virtualClusters.size() > 1 ? "s " : " ")
                    + clusters;
        }
    }

    private final List<Target> targets;
    private final Probe probe;
    private final Duration retryInterval;
    private final ScheduledExecutorService executor;

    private TargetProbes(List<Target> targets, Probe probe, Duration retryInterval) {
        this.targets = targets;
        this.probe = probe;
        this.retryInterval = retryInterval;
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "kanal-target-probe");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = scheduler;
    }

    /** Starts probing the targets of {@code clusters} with a Kafka admin client's {@code describeCluster()}. */
    public static TargetProbes start(List<VirtualClusterConfig> clusters) {
        return start(clusters, TargetProbes::describeCluster, DEFAULT_RETRY_INTERVAL, Set.of());
    }

    /**
     * Starts probing the targets of {@code clusters} after a configuration reload: targets that answered
     * {@code previous} count as answered and are not asked again.
     */
    public static TargetProbes restart(List<VirtualClusterConfig> clusters, TargetProbes previous) {
        return start(clusters, previous.probe, previous.retryInterval, previous.answered());
    }

    static TargetProbes start(List<VirtualClusterConfig> clusters, Probe probe, Duration retryInterval) {
        return start(clusters, probe, retryInterval, Set.of());
    }

    private static TargetProbes start(List<VirtualClusterConfig> clusters, Probe probe, Duration retryInterval,
                                      Set<TargetKey> answeredBefore) {
        Map<TargetKey, Target> distinct = new LinkedHashMap<>();
        for (VirtualClusterConfig cluster : clusters) {
            distinct.computeIfAbsent(new TargetKey(cluster), Target::new).virtualClusters.add(cluster.name());
        }
        TargetProbes probes = new TargetProbes(List.copyOf(distinct.values()), probe, retryInterval);
        for (Target target : probes.targets) {
            if (answeredBefore.contains(target.key)) {
                target.answered = true;
            } else {
                probes.executor.execute(() -> probes.attempt(target));
            }
        }
        return probes;
    }

    /** The targets that have answered. */
    Set<TargetKey> answered() {
        return targets.stream().filter(target -> target.answered).map(target -> target.key)
                .collect(Collectors.toSet());
    }

    /** One line per target that has not answered yet, in configuration order; empty once all have. */
    public List<String> waitingFor() {
        return targets.stream().filter(target -> !target.answered).map(Target::describe).toList();
    }

    private void attempt(Target target) {
        try {
            probe.probe(target.bootstrapServers, target.key.tls(), target.key.login());
            target.answered = true;
            LOG.info("{} answered", target.describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (executor.isShutdown()) {
                return; // closed while asking: the failure is the closing's
            }
            // The first failure is worth a line; repeating it every few seconds is not.
            if (target.failures++ == 0) {
                LOG.warn("{} is not reachable yet, retrying every {}: {}", target.describe(),
                        EffectiveConfig.text(retryInterval), oneLine(e));
            } else {
                LOG.debug("{} is still not reachable: {}", target.describe(), oneLine(e));
            }
            try {
                executor.schedule(() -> attempt(target), retryInterval.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejectedWhileClosing) {
                // closed meanwhile: nothing more to do
            }
        }
    }

    private static String oneLine(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "no answer within " + PROBE_TIMEOUT.toSeconds() + "s";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }

    /** Stops probing; a probe in progress is abandoned. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void describeCluster(List<HostPort> bootstrapServers, Optional<UpstreamTlsConfig> tls,
                                        Optional<UpstreamCredentials> login)
            throws Exception {
        int timeoutMs = (int) PROBE_TIMEOUT.toMillis();
        Map<String, Object> config = new HashMap<>(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers.stream().map(HostPort::toString).collect(Collectors.joining(",")),
                AdminClientConfig.CLIENT_ID_CONFIG, "kanal-target-probe",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 2000,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 500,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 500));
        tls.ifPresent(settings -> config.putAll(KafkaClientTls.settings(settings)));
        if (login.isPresent()) {
            config.putAll(ProbeLogin.clientSettings(login.get()));
        }
        if (tls.isPresent() && login.isPresent()) {
            config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        }
        Admin admin = Admin.create(config);
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                    .clusterId()
                    .get(timeoutMs + 1000L, TimeUnit.MILLISECONDS);
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
