package io.kanal.mesh.cluster;

import io.kanal.mesh.async.AllOf;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the mesh knows about one upstream cluster: its brokers, and the topics clients asked about with their ids and
 * partitions (leaders included). Learned through the cluster's admin client, kept in memory, and described again
 * every refresh interval, so that new partitions and moved leaders are seen; a topic not known yet is described when
 * first asked for. Safe for use from any thread; no method blocks.
 *
 * <p>When the cluster cannot be reached, what was learned before stays: stale but usable, which lets produce requests
 * fail on their own timeouts (retriably) rather than on a missing topic.
 */
public final class ClusterMetadata implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMetadata.class);
    /** A listing of every topic is reused for this long, so that a burst of all-topic requests asks once. */
    private static final Duration LISTING_REUSE = Duration.ofSeconds(5);

    private final String cluster;
    private final Admin admin;
    private final int timeoutMs;
    private final ConcurrentHashMap<String, TopicMetadata> topics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Uuid, TopicMetadata> topicsById = new ConcurrentHashMap<>();
    /** Look-ups under way, so that concurrent askers of one topic share one upstream request. */
    private final ConcurrentHashMap<String, CompletableFuture<Optional<TopicMetadata>>> lookups =
            new ConcurrentHashMap<>();
    private final ScheduledFuture<?> refreshes;
    private volatile Map<Integer, Broker> brokers = Map.of();
    private volatile Optional<String> clusterId = Optional.empty();
    private volatile boolean answered;
    /** Set while a refresh runs; refreshes never overlap, so the counter below needs no more than visibility. */
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile int failedRefreshes;
    private CompletableFuture<List<TopicMetadata>> listing;
    private long listedAtNanos;

    /**
     * Starts learning about the cluster: at once, then every {@code refreshInterval}.
     *
     * @param cluster   the cluster's name, for logs
     * @param admin     the cluster's admin client; closed with this
     * @param timeout   how long one upstream request may take
     * @param scheduler runs the refreshes
     */
    public ClusterMetadata(String cluster, Admin admin, Duration timeout, Duration refreshInterval,
                           ScheduledExecutorService scheduler) {
        this.cluster = cluster;
        this.admin = admin;
        this.timeoutMs = (int) timeout.toMillis();
        this.refreshes = scheduler.scheduleWithFixedDelay(this::refreshAll, 0, refreshInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The cluster's name in the mesh's configuration. */
    public String clusterName() {
        return cluster;
    }

    /** Whether the cluster has answered at least once since the mesh started. */
    public boolean answered() {
        return answered;
    }

    /** The cluster's own id, once it has answered. */
    public Optional<String> clusterId() {
        return clusterId;
    }

    /** The cluster's brokers by node id, as last described; empty until it has answered. */
    public Map<Integer, Broker> brokers() {
        return brokers;
    }

    /** The topic as last described, without asking the cluster. */
    public Optional<TopicMetadata> cached(String topic) {
        return Optional.ofNullable(topics.get(topic));
    }

    /** The topic with id {@code topicId} as last described, without asking the cluster. */
    public Optional<TopicMetadata> cached(Uuid topicId) {
        return Optional.ofNullable(topicsById.get(topicId));
    }

    /** Every topic described so far. */
    public Collection<TopicMetadata> cachedTopics() {
        return List.copyOf(topics.values());
    }

    /**
     * The topic: as last described when known, else described now.
     *
     * @return completes with empty when the cluster has no such topic; fails when the cluster cannot be asked
     */
    public CompletionStage<Optional<TopicMetadata>> topic(String topic) {
        TopicMetadata known = topics.get(topic);
        if (known != null) {
            return CompletableFuture.completedFuture(Optional.of(known));
        }
        return refresh(topic);
    }

    /**
     * Describes the topic now, for instance after an answer suggested that its leaders or partitions changed; falls
     * back to what was known when the cluster cannot be asked.
     *
     * @return completes with empty when the cluster has no such topic; fails when it cannot be asked and nothing is
     *         known
     */
    public CompletionStage<Optional<TopicMetadata>> refresh(String topic) {
        CompletableFuture<Optional<TopicMetadata>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<TopicMetadata>> running = lookups.putIfAbsent(topic, mine);
        if (running != null) {
            return running;
        }
        describe(List.of(topic)).get(topic).whenComplete((found, failure) -> {
            lookups.remove(topic, mine);
            if (failure == null) {
                mine.complete(found);
            } else if (topics.containsKey(topic)) {
                mine.complete(Optional.of(topics.get(topic)));
            } else {
                mine.completeExceptionally(unwrap(failure));
            }
        });
        return mine;
    }

    /**
     * Every topic of the cluster, internal ones left out, listed and described now unless that was done moments ago.
     *
     * @return fails when the cluster cannot be asked; {@link #cachedTopics()} is what is known then
     */
    public synchronized CompletionStage<List<TopicMetadata>> allTopics() {
        if (listing != null && (!listing.isDone() || !listing.isCompletedExceptionally()
                && System.nanoTime() - listedAtNanos < LISTING_REUSE.toNanos())) {
            return listing;
        }
        listedAtNanos = System.nanoTime();
        CompletableFuture<List<TopicMetadata>> next = new CompletableFuture<>();
        listing = next;
        toCompletable(admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs)).names())
                .thenCompose(names -> {
                    Map<String, CompletableFuture<Optional<TopicMetadata>>> described = describe(names);
                    return AllOf.map(described).thenApply(found -> found.values().stream()
                            .flatMap(Optional::stream).toList());
                })
                .whenComplete((all, failure) -> {
                    if (failure == null) {
                        next.complete(all);
                    } else {
                        next.completeExceptionally(unwrap(failure));
                    }
                });
        return next;
    }

    /** Describes {@code names}, caching what is found and forgetting what the cluster no longer has. */
    private Map<String, CompletableFuture<Optional<TopicMetadata>>> describe(Collection<String> names) {
        Map<String, CompletableFuture<Optional<TopicMetadata>>> results = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return results;
        }
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names,
                new DescribeTopicsOptions().timeoutMs(timeoutMs)).topicNameValues();
        for (String name : names) {
            results.put(name, toCompletable(described.get(name)).handle((description, failure) -> {
                if (failure == null) {
                    return Optional.of(remember(TopicMetadata.of(description)));
                }
                if (unwrap(failure) instanceof UnknownTopicOrPartitionException) {
                    forget(name);
                    return Optional.<TopicMetadata>empty();
                }
                throw new CompletionException(unwrap(failure));
            }));
        }
        return results;
    }

    private TopicMetadata remember(TopicMetadata topic) {
        TopicMetadata previous = topics.put(topic.name(), topic);
        if (previous != null && !previous.topicId().equals(topic.topicId())) {
            topicsById.remove(previous.topicId());
        }
        topicsById.put(topic.topicId(), topic);
        if (previous != null && previous.partitions().size() != topic.partitions().size()) {
            log.info("mesh cluster '{}': topic {} has {} partitions now, was {}", cluster, topic.name(),
                    topic.partitions().size(), previous.partitions().size());
        }
        return topic;
    }

    private void forget(String name) {
        TopicMetadata gone = topics.remove(name);
        if (gone != null) {
            topicsById.remove(gone.topicId());
            log.info("mesh cluster '{}': topic {} no longer exists", cluster, name);
        }
    }

    /**
     * Describes the cluster and every known topic again; a failure leaves what was known. Runs without blocking its
     * thread, and skips a turn while the previous refresh is still waiting for the cluster.
     */
    private void refreshAll() {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        DescribeClusterResult described = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs));
        toCompletable(described.nodes())
                .thenCombine(toCompletable(described.clusterId()), (nodes, id) -> {
                    Map<Integer, Broker> learned = new HashMap<>();
                    for (Node node : nodes) {
                        TopicMetadata.broker(node).ifPresent(broker -> learned.put(broker.nodeId(), broker));
                    }
                    brokers = Map.copyOf(learned);
                    clusterId = Optional.ofNullable(id);
                    return id;
                })
                .thenCompose(id -> CompletableFuture.allOf(describe(Set.copyOf(topics.keySet())).values()
                        .toArray(CompletableFuture[]::new)).thenApply(done -> id))
                .whenComplete((id, failure) -> {
                    refreshing.set(false);
                    if (failure == null) {
                        if (!answered || failedRefreshes > 0) {
                            log.info("mesh cluster '{}' answered: cluster id {}, {} brokers", cluster, id,
                                    brokers.size());
                        }
                        answered = true;
                        failedRefreshes = 0;
                    } else if (failedRefreshes++ == 0) {
                        // The first failure is worth a line; repeating it every refresh is not.
                        log.warn("mesh cluster '{}' cannot be described, keeping what is known: {}", cluster,
                                oneLine(unwrap(failure)));
                    } else {
                        log.debug("mesh cluster '{}' still cannot be described: {}", cluster, oneLine(unwrap(failure)));
                    }
                });
    }

    private static <T> CompletableFuture<T> toCompletable(KafkaFuture<T> future) {
        CompletableFuture<T> result = new CompletableFuture<>();
        future.whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(failure);
            }
        });
        return result;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String oneLine(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }

    /** Stops refreshing and closes the admin client. */
    @Override
    public void close() {
        refreshes.cancel(false);
        admin.close(Duration.ofSeconds(5));
    }
}
