package io.kanal.mesh.produce;

import io.kanal.mesh.api.MeshApiHandler;
import io.kanal.mesh.api.MeshRequest;
import io.kanal.mesh.api.MeshSession;
import io.kanal.mesh.api.SessionKey;
import io.kanal.mesh.cluster.TopicMetadata;
import io.kanal.mesh.cluster.UpstreamCluster;
import io.kanal.mesh.cluster.UpstreamClusters;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Answers Produce: each partition's record batch is split into its records, which go, with key, value, headers,
 * timestamp and partition, through the producer of the cluster the topic lives in. A partition is answered once all
 * its records are acknowledged upstream (with the offset of the first), or with the Kafka error of the first failure;
 * a partition still unacknowledged at the request's deadline is answered REQUEST_TIMED_OUT while its records go on.
 *
 * <p>Record batches of magic v2 only (kafka-clients decompresses gzip, snappy, lz4 and zstd), one per partition as
 * Produce v3 and later require. Batches of idempotent producers are checked against their {@link ProducerIds}
 * sequence window, so a retried batch is answered with its original offset instead of being written twice.
 *
 * <p>Produce requests of one connection are admitted one after another, in the order they arrived, so that records of
 * one partition reach its cluster's producer in the client's order even when a topic must first be described.
 */
final class ProduceHandler implements MeshApiHandler<ProduceRequestData, ProduceResponseData> {

    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);
    private static final SessionKey<Admissions> ADMISSIONS = new SessionKey<>("produce admissions",
            session -> new Admissions());
    private static final byte REQUIRED_MAGIC = RecordBatch.MAGIC_VALUE_V2;
    private static final short FIRST_VERSION_WITH_TOPIC_IDS = 13;
    private static final short FIRST_VERSION_WITH_ERROR_MESSAGES = 8;
    private static final short ACKS_ALL = -1;

    private final UpstreamClusters clusters;
    private final Map<String, ClusterProducer> producers;
    private final ProducerIds producerIds;
    private final Duration produceTimeout;

    ProduceHandler(UpstreamClusters clusters, Map<String, ClusterProducer> producers, ProducerIds producerIds,
                   Duration produceTimeout) {
        this.clusters = clusters;
        this.producers = producers;
        this.producerIds = producerIds;
        this.produceTimeout = produceTimeout;
    }

    /** One partition of the request, and how it ended. */
    private static final class PartitionTask {
        final String topic;
        final Uuid topicId;
        final int partition;
        final MemoryRecords records;
        final Optional<UpstreamCluster> cluster;
        /** The topic as its cluster describes it; complete once the partition is decided. */
        CompletableFuture<Optional<TopicMetadata>> topicMetadata;
        CompletableFuture<PartitionResult> outcome;

        PartitionTask(String topic, Uuid topicId, int partition, MemoryRecords records,
                      Optional<UpstreamCluster> cluster) {
            this.topic = topic;
            this.topicId = topicId;
            this.partition = partition;
            this.records = records;
            this.cluster = cluster;
        }

        void decide(PartitionResult result) {
            outcome = CompletableFuture.completedFuture(result);
        }
    }

    @Override
    public CompletionStage<ProduceResponseData> handle(MeshSession session, MeshRequest<ProduceRequestData> request) {
        long started = System.nanoTime();
        ProduceRequestData body = request.body();
        List<PartitionTask> tasks = plan(body, request.apiVersion());
        if (body.transactionalId() != null) {
            tasks.forEach(task -> task.decide(PartitionResult.error(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                    TransactionsRefused.MESSAGE)));
        }
        boolean acksAll = body.acks() == ACKS_ALL;
        CompletableFuture<Void> admitted = session.state(ADMISSIONS).next(session, () -> admit(session, tasks, acksAll));
        if (!request.expectsResponse()) {
            return admitted.thenApply(done -> {
                logUnanswered(session, tasks);
                return null;
            });
        }
        long timeoutMs = Math.min(produceTimeout.toMillis(), body.timeoutMs() > 0 ? body.timeoutMs() : Long.MAX_VALUE);
        return admitted
                .thenCompose(done -> settled(session, tasks, timeoutMs - elapsedMillis(started)))
                .thenApply(done -> response(tasks, request.apiVersion(), timeoutMs));
    }

    /** The request's partitions, each with the cluster its topic lives in; those that cannot be served decided. */
    private List<PartitionTask> plan(ProduceRequestData body, short version) {
        List<PartitionTask> tasks = new ArrayList<>();
        for (TopicProduceData topic : body.topicData()) {
            String name = topic.name();
            Optional<UpstreamCluster> cluster;
            Errors unknown = Errors.UNKNOWN_TOPIC_OR_PARTITION;
            if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
                Optional<UpstreamClusters.TopicRef> found = clusters.topicById(topic.topicId());
                name = found.map(ref -> ref.topic().name()).orElse(null);
                cluster = found.map(UpstreamClusters.TopicRef::cluster);
                unknown = Errors.UNKNOWN_TOPIC_ID;
            } else {
                cluster = clusters.route(name);
            }
            for (PartitionProduceData partition : topic.partitionData()) {
                PartitionTask task = new PartitionTask(name, topic.topicId(), partition.index(),
                        (MemoryRecords) partition.records(), cluster);
                if (cluster.isEmpty()) {
                    task.decide(PartitionResult.error(unknown, "no rule of the Kanal mesh routes topic "
                            + (name != null ? name : topic.topicId())));
                }
                tasks.add(task);
            }
        }
        return tasks;
    }

    /**
     * Describes the topics not known yet, then decides every partition and hands its records to the producer.
     * Completes once every partition has its outcome, on the session's event loop.
     */
    private CompletableFuture<Void> admit(MeshSession session, List<PartitionTask> tasks, boolean acksAll) {
        List<CompletableFuture<?>> lookups = new ArrayList<>();
        for (PartitionTask task : tasks) {
            if (task.outcome == null) {
                task.topicMetadata = task.cluster.get().metadata().topic(task.topic).toCompletableFuture();
                lookups.add(task.topicMetadata);
            }
        }
        CompletableFuture<Void> described = CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new))
                .handle((done, failure) -> null);
        Runnable decideAll = () -> tasks.stream().filter(task -> task.outcome == null)
                .forEach(task -> decide(task, acksAll));
        if (described.isDone()) {
            decideAll.run();
            return CompletableFuture.completedFuture(null);
        }
        return described.thenRunAsync(decideAll, session.executor());
    }

    private void decide(PartitionTask task, boolean acksAll) {
        UpstreamCluster cluster = task.cluster.get();
        CompletableFuture<Optional<TopicMetadata>> lookup = task.topicMetadata;
        if (lookup.isCompletedExceptionally()) {
            task.decide(PartitionResult.error(Errors.LEADER_NOT_AVAILABLE, "cluster '" + cluster.name()
                    + "' of topic " + task.topic + " cannot be reached"));
            return;
        }
        Optional<TopicMetadata> topic = lookup.join();
        if (topic.isEmpty() || task.partition < 0 || task.partition >= cluster.advertisedPartitions(topic.get())) {
            task.decide(PartitionResult.error(Errors.UNKNOWN_TOPIC_OR_PARTITION, "cluster '" + cluster.name()
                    + "' has no partition " + task.topic + "-" + task.partition));
            return;
        }
        MutableRecordBatch batch;
        List<ProducerRecord<byte[], byte[]>> records;
        try {
            batch = onlyBatch(task);
            batch.ensureValid();
            records = records(task, batch);
        } catch (RefusedBatch refused) {
            task.decide(PartitionResult.error(refused.error, refused.getMessage()));
            return;
        } catch (CorruptRecordException e) {
            task.decide(PartitionResult.error(Errors.CORRUPT_MESSAGE, "corrupt record batch for " + task.topic + "-"
                    + task.partition + ": " + e.getMessage()));
            return;
        } catch (RuntimeException e) {
            task.decide(PartitionResult.error(Errors.INVALID_RECORD, "unreadable record batch for " + task.topic + "-"
                    + task.partition + ": " + e.getMessage()));
            return;
        }
        PartitionWrite write = new PartitionWrite(task.topic, task.partition, records.size());
        ClusterProducer producer = producers.get(cluster.name());
        if (!batch.hasProducerId()) {
            producer.send(write, records, write.attempt(), acksAll);
            task.outcome = write.outcome();
            return;
        }
        SequenceWindow.Decision decision = producerIds.check(batch.producerId(), batch.producerEpoch(),
                new TopicPartition(task.topic, task.partition), batch.baseSequence(), batch.lastSequence(), write);
        if (decision instanceof SequenceWindow.Accept) {
            producer.send(write, records, write.attempt(), acksAll);
            task.outcome = write.outcome();
        } else if (decision instanceof SequenceWindow.Duplicate duplicate) {
            PartitionWrite original = duplicate.entry().write();
            List<Integer> again = original.retryIfFailed();
            if (!again.isEmpty()) {
                producer.send(original, records, again, acksAll);
            }
            task.outcome = original.outcome();
        } else if (decision instanceof SequenceWindow.Reject reject) {
            task.decide(PartitionResult.error(reject.error(), reject.message()));
        }
    }

    /** The one record batch of a partition, checked for what the mesh accepts. */
    private static MutableRecordBatch onlyBatch(PartitionTask task) throws RefusedBatch {
        Iterator<MutableRecordBatch> batches = task.records.batches().iterator();
        if (!batches.hasNext()) {
            throw new RefusedBatch(Errors.INVALID_RECORD, "no record batch for " + task.topic + "-" + task.partition);
        }
        MutableRecordBatch batch = batches.next();
        if (batch.magic() != REQUIRED_MAGIC) {
            throw new RefusedBatch(Errors.INVALID_RECORD, "the Kanal mesh accepts record batches of magic v2 only "
                    + "(Kafka 0.11 and later clients); this batch has magic v" + batch.magic());
        }
        if (batches.hasNext()) {
            throw new RefusedBatch(Errors.INVALID_RECORD, "more than one record batch for " + task.topic + "-"
                    + task.partition + "; Produce v3 and later carry exactly one per partition");
        }
        if (batch.isTransactional() || batch.isControlBatch()) {
            throw new RefusedBatch(Errors.INVALID_RECORD, "transactional record batch: "
                    + TransactionsRefused.MESSAGE);
        }
        return batch;
    }

    /** The batch's records as producer records, copied out of the request's bytes. */
    private static List<ProducerRecord<byte[], byte[]>> records(PartitionTask task, MutableRecordBatch batch)
            throws RefusedBatch {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Record record : batch) {
            byte[] key = record.hasKey() ? Utils.toArray(record.key()) : null;
            byte[] value = record.hasValue() ? Utils.toArray(record.value()) : null;
            Header[] read = record.headers();
            // Copied too: a header read from an uncompressed batch views the request's bytes.
            Header[] headers = new Header[read.length];
            for (int i = 0; i < read.length; i++) {
                headers[i] = new RecordHeader(read[i].key(), read[i].value());
            }
            // A record without a timestamp (-1) gets the producer's clock, as a broker would give it its own.
            Long timestamp = record.timestamp() >= 0 ? record.timestamp() : null;
            records.add(new ProducerRecord<>(task.topic, task.partition, timestamp, key, value,
                    new RecordHeaders(headers)));
        }
        if (records.isEmpty()) {
            throw new RefusedBatch(Errors.INVALID_RECORD, "empty record batch for " + task.topic + "-"
                    + task.partition);
        }
        return records;
    }

    /** Completes when every partition has its outcome, or after {@code waitMs}, whichever is first. */
    private static CompletableFuture<Void> settled(MeshSession session, List<PartitionTask> tasks, long waitMs) {
        CompletableFuture<Void> all = CompletableFuture.allOf(tasks.stream().map(task -> task.outcome)
                .toArray(CompletableFuture[]::new));
        if (all.isDone()) {
            return all;
        }
        CompletableFuture<Void> either = new CompletableFuture<>();
        ScheduledFuture<?> deadline = session.executor().schedule(() -> either.complete(null), Math.max(0, waitMs),
                TimeUnit.MILLISECONDS);
        all.whenComplete((done, failure) -> {
            deadline.cancel(false);
            either.complete(null);
        });
        return either;
    }

    private ProduceResponseData response(List<PartitionTask> tasks, short version, long timeoutMs) {
        ProduceResponseData response = new ProduceResponseData();
        TopicProduceResponse current = null;
        for (PartitionTask task : tasks) {
            if (current == null || !sameTopic(current, task, version)) {
                current = new TopicProduceResponse();
                if (version >= FIRST_VERSION_WITH_TOPIC_IDS) {
                    current.setTopicId(task.topicId);
                } else {
                    current.setName(task.topic);
                }
                response.responses().add(current);
            }
            PartitionResult result = task.outcome.isDone()
                    ? task.outcome.join()
                    : PartitionResult.error(Errors.REQUEST_TIMED_OUT, "cluster '" + task.cluster.get().name()
                            + "' did not acknowledge " + task.topic + "-" + task.partition + " within " + timeoutMs
                            + " ms; the records may still be written");
            PartitionProduceResponse partition = new PartitionProduceResponse()
                    .setIndex(task.partition)
                    .setErrorCode(result.error().code())
                    .setBaseOffset(result.baseOffset())
                    .setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP)
                    .setLogStartOffset(-1);
            if (version >= FIRST_VERSION_WITH_ERROR_MESSAGES) {
                partition.setErrorMessage(result.message());
            }
            current.partitionResponses().add(partition);
        }
        return response;
    }

    private static boolean sameTopic(TopicProduceResponse topic, PartitionTask task, short version) {
        return version >= FIRST_VERSION_WITH_TOPIC_IDS ? topic.topicId().equals(task.topicId)
                : topic.name().equals(task.topic);
    }

    /** Requests with acks=0 get no answer; their failures are only logged. */
    private static void logUnanswered(MeshSession session, List<PartitionTask> tasks) {
        for (PartitionTask task : tasks) {
            task.outcome.thenAccept(result -> {
                if (!result.succeeded()) {
                    log.debug("mesh: acks=0 produce from {} to {}-{} failed: {} {}", session.clientAddress(),
                            task.topic, task.partition, result.error(), result.message());
                }
            });
        }
    }

    private static long elapsedMillis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** A batch the mesh refuses, and the error it answers with. */
    private static final class RefusedBatch extends Exception {
        final Errors error;

        RefusedBatch(Errors error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    /**
     * The produce requests of one connection, admitted one after another. Used on the connection's event loop only.
     */
    private static final class Admissions {
        private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

        CompletableFuture<Void> next(MeshSession session, Supplier<CompletableFuture<Void>> admission) {
            CompletableFuture<Void> admitted = tail.isDone()
                    ? run(admission)
                    : tail.thenComposeAsync(done -> run(admission), session.executor());
            tail = admitted.handle((done, failure) -> null);
            return admitted;
        }

        private static CompletableFuture<Void> run(Supplier<CompletableFuture<Void>> admission) {
            try {
                return admission.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }
}
