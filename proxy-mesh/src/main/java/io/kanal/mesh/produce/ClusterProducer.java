package io.kanal.mesh.produce;

import io.kanal.mesh.config.ProducerProperties;
import io.kanal.mesh.config.UpstreamClusterConfig;
import io.kanal.proxy.server.ProxyStartException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kafka-clients producers of one upstream cluster and the thread that feeds them.
 *
 * <p>{@link KafkaProducer#send} can block, waiting for metadata or for room in its buffer, so records are handed to a
 * thread of the cluster's own and never sent from an event loop; a cluster that is slow or down holds up only its own
 * records. Records of one partition are sent in the order they were handed over, so the producer keeps their order.
 * What waits for that thread is bounded: beyond the producer's {@code buffer.memory} in bytes, new writes fail at
 * once with REQUEST_TIMED_OUT, which clients retry.
 *
 * <p>Requests with acks=all go through a producer with {@code acks=all}: the configured one when its acks are all (the
 * default), otherwise a second producer with the same settings but {@code acks=all}, so a configured weaker acks never
 * weakens what a client asked for. Requests with acks=0 or 1 go through the configured producer.
 */
final class ClusterProducer {

    private static final Logger log = LoggerFactory.getLogger(ClusterProducer.class);
    private static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;

    private final String cluster;
    private final Producer<byte[], byte[]> configured;
    private final Producer<byte[], byte[]> acksAll;
    private final ExecutorService sender;
    private final AtomicLong backlogBytes = new AtomicLong();
    private final long maxBacklogBytes;

    ClusterProducer(String cluster, Producer<byte[], byte[]> configured, Producer<byte[], byte[]> acksAll,
                    long maxBacklogBytes) {
        this.cluster = cluster;
        this.configured = configured;
        this.acksAll = acksAll;
        this.maxBacklogBytes = maxBacklogBytes;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "kanal-mesh-send-" + cluster);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Makes the producers of {@code config}.
     *
     * @throws ProxyStartException naming the cluster when kafka-clients refuses to make a producer
     */
    static ClusterProducer open(UpstreamClusterConfig config) {
        Map<String, Object> properties = ProducerProperties.producer(config);
        Producer<byte[], byte[]> configured = producer(config.name(), properties);
        Producer<byte[], byte[]> acksAll = configured;
        if (!ProducerProperties.acksAll(config.producer())) {
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            properties.put(ProducerConfig.CLIENT_ID_CONFIG, properties.get(ProducerConfig.CLIENT_ID_CONFIG) + "-acks-all");
            try {
                acksAll = producer(config.name(), properties);
            } catch (ProxyStartException e) {
                configured.close(Duration.ZERO);
                throw e;
            }
            log.info("mesh cluster '{}': producer acks={}; requests with acks=all go through a second producer with "
                    + "acks=all", config.name(), config.producer().get(ProducerConfig.ACKS_CONFIG));
        }
        String memory = config.producer().get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        return new ClusterProducer(config.name(), configured, acksAll,
                memory == null ? DEFAULT_BUFFER_MEMORY : Long.parseLong(memory.trim()));
    }

    private static Producer<byte[], byte[]> producer(String cluster, Map<String, Object> properties) {
        try {
            return new KafkaProducer<>(properties);
        } catch (KafkaException e) {
            throw new ProxyStartException("mesh cluster '" + cluster + "': cannot make its producer: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /**
     * Sends the records at {@code indexes} of {@code records} (all of one partition, in order), reporting each
     * acknowledgement to {@code write}.
     *
     * @param acksAll whether the client asked for acks=all
     */
    void send(PartitionWrite write, List<ProducerRecord<byte[], byte[]>> records, List<Integer> indexes,
              boolean acksAll) {
        long bytes = 0;
        for (int index : indexes) {
            bytes += size(records.get(index));
        }
        long waiting = backlogBytes.addAndGet(bytes);
        if (waiting > maxBacklogBytes && waiting != bytes) {
            backlogBytes.addAndGet(-bytes);
            failAll(write, indexes, new TimeoutException("the mesh's producer for cluster '" + cluster + "' has "
                    + (waiting - bytes) + " bytes waiting to be sent"));
            return;
        }
        Producer<byte[], byte[]> producer = acksAll ? this.acksAll : configured;
        long queued = bytes;
        try {
            sender.execute(() -> {
                try {
                    for (int index : indexes) {
                        send(producer, write, index, records.get(index));
                    }
                } finally {
                    backlogBytes.addAndGet(-queued);
                }
            });
        } catch (RejectedExecutionException closing) {
            backlogBytes.addAndGet(-bytes);
            failAll(write, indexes, new KafkaException("the mesh is shutting down"));
        }
    }

    private static void send(Producer<byte[], byte[]> producer, PartitionWrite write, int index,
                             ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record, (metadata, failure) -> {
                if (failure == null) {
                    write.acknowledged(index, metadata.offset());
                } else {
                    write.failed(index, failure);
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            // The producer reports most failures to the callback; these it throws: closed, or the record refused.
            write.failed(index, e instanceof KafkaException kafka ? kafka : new KafkaException(e.getMessage(), e));
        }
    }

    private static void failAll(PartitionWrite write, List<Integer> indexes, Exception cause) {
        for (int index : indexes) {
            write.failed(index, cause);
        }
    }

    private static long size(ProducerRecord<byte[], byte[]> record) {
        long size = 0;
        if (record.key() != null) {
            size += record.key().length;
        }
        if (record.value() != null) {
            size += record.value().length;
        }
        // Headers count too: records of small values with large headers would otherwise slip past the bound.
        for (Header header : record.headers()) {
            size += header.key().length();
            if (header.value() != null) {
                size += header.value().length;
            }
        }
        return size;
    }

    /**
     * Sends what is waiting, then closes the producers, flushing what they hold for up to {@code timeout}; what is
     * not acknowledged by then fails.
     */
    void close(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        sender.shutdown();
        if (!sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            sender.shutdownNow();
        }
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        configured.close(left);
        if (acksAll != configured) {
            acksAll.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }
}
