package io.kanal.proxy.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

/**
 * The typed API constants must agree with kafka-clients: one per API, each with the classes kafka-clients itself
 * decodes that API's requests and responses into, or a hook would be handed a body of another class. APIs Kafka 4
 * removed (the ZooKeeper-era LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown) keep their keys in
 * kafka-clients but no versions and no message classes, so they have no constant.
 */
class KafkaApiTest {

    @Test
    void everyApiHasOneConstantWithKafkaClientsOwnMessageClasses() throws IllegalAccessException {
        Map<ApiKeys, KafkaApi<?, ?>> byKey = new EnumMap<>(ApiKeys.class);
        for (Field field : KafkaApi.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == KafkaApi.class) {
                KafkaApi<?, ?> api = (KafkaApi<?, ?>) field.get(null);
                assertEquals(api.key().name(), field.getName(), "constant named after its ApiKeys");
                assertEquals(null, byKey.put(api.key(), api), "two constants for " + api.key());
            }
        }
        int withMessages = 0;
        for (ApiKeys key : ApiKeys.values()) {
            if (key.allVersions().isEmpty()) {
                assertEquals(null, byKey.get(key), "a constant for " + key + ", which has no versions");
                continue;
            }
            withMessages++;
            KafkaApi<?, ?> api = byKey.get(key);
            assertNotNull(api, "no KafkaApi constant for " + key);
            assertEquals(key.messageType.newRequest().getClass(), api.requestType(), key + " request class");
            assertEquals(key.messageType.newResponse().getClass(), api.responseType(), key + " response class");
        }
        assertEquals(withMessages, byKey.size(), "constants for APIs kafka-clients has no messages for");
        assertEquals(List.copyOf(byKey.values()), KafkaApi.values().stream()
                .sorted(Comparator.comparing(KafkaApi::key)).toList(), "values() is every constant, once");
    }
}
