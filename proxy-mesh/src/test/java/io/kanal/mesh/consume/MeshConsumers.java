package io.kanal.mesh.consume;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Java consumers for the consume path's tests, and a loop that reads until what was expected has arrived. */
final class MeshConsumers {

    private MeshConsumers() {
    }

    /** A consumer of strings connected to {@code bootstrap}, with {@code extra} settings on top. */
    static KafkaConsumer<String, String> consumer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);
        config.putAll(extra);
        return new KafkaConsumer<>(config);
    }

    /**
     * Polls until {@code done} holds for the values read so far, by partition in the order read, or {@code timeout}
     * passes.
     */
    static Map<TopicPartition, List<String>> pollUntil(KafkaConsumer<String, String> consumer, Duration timeout,
                                                      Predicate<Map<TopicPartition, List<String>>> done) {
        Map<TopicPartition, List<String>> read = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(read) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                read.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                        partition -> new ArrayList<>()).add(record.value());
            }
        }
        return read;
    }

    /** {@code prefix-0} ... {@code prefix-(count-1)}. */
    static List<String> values(String prefix, int count) {
        List<String> values = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            values.add(prefix + "-" + index);
        }
        return values;
    }
}
