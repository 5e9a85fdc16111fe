package io.kanal.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Records produced through one address and consumed back through it, by clients with the same settings. */
public final class RoundTrip {

    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);

    private RoundTrip() {
    }

    /**
     * Produces {@code values} to {@code topic}, without keys, and waits until the broker has them all; then consumes
     * the topic from the beginning in a new consumer group. Both clients get {@code settings} on top of
     * {@link Clients}' defaults (security settings, for instance).
     *
     * @return the records consumed, in the order they arrived: extras (duplicates) included, see
     *         {@link Consuming#atLeast}
     */
    public static List<ConsumerRecord<String, String>> produceAndConsume(String bootstrapServers,
            Map<String, Object> settings, String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrapServers, settings)) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (String value : values) {
                sends.add(producer.send(new ProducerRecord<>(topic, value)));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        }
        Map<String, Object> consumerSettings = new HashMap<>(settings);
        consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, Names.unique(topic));
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrapServers, consumerSettings)) {
            consumer.subscribe(List.of(topic));
            return Consuming.atLeast(consumer, values.size(), CONSUME_TIMEOUT);
        }
    }

    /** {@link #produceAndConsume}, the values consumed only. */
    public static List<String> values(String bootstrapServers, Map<String, Object> settings, String topic,
                                      List<String> values) throws Exception {
        return produceAndConsume(bootstrapServers, settings, topic, values).stream().map(ConsumerRecord::value)
                .toList();
    }
}
