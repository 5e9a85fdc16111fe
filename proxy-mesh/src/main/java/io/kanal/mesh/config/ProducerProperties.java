package io.kanal.mesh.config;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code producer} settings of a mesh cluster: checked against kafka-clients' own definitions when the
 * configuration is loaded, so that a mistake stops start-up instead of failing the first produce, and turned into the
 * properties of the cluster's producers and admin client.
 */
public final class ProducerProperties {

    /** Settings the mesh makes itself; configuring one is a mistake worth naming. */
    private static final Map<String, String> RESERVED = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "set by the mesh from the cluster's bootstrapServers",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "set by the mesh: records are forwarded as bytes",
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "set by the mesh: records are forwarded as bytes",
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "the mesh does not run transactions upstream");
    /** Prefixes of the settings that say how to reach the cluster securely, which the admin client needs too. */
    private static final Set<String> CONNECTION_PREFIXES = Set.of("security.", "ssl.", "sasl.");
    private static final Set<String> CONNECTION_KEYS = Set.of("client.dns.lookup");
    /** Where the mesh's part of the producer's settings would be, for checking the whole set. */
    private static final String PLACEHOLDER_BOOTSTRAP = "127.0.0.1:9092";
    private static final Set<String> ACKS_ALL = Set.of("all", "-1");

    private ProducerProperties() {
    }

    /**
     * What is wrong with one setting, or with the settings together.
     *
     * @param key    the offending key, or empty when the problem is a combination of settings
     * @param reason what is wrong, never repeating the value (it may be a secret)
     */
    public record Problem(Optional<String> key, String reason) {
    }

    /**
     * Checks {@code properties} as kafka-clients' producer would read them: every key must be a producer setting
     * the mesh does not make itself, every value must parse and pass the setting's validator, and the settings
     * together must be a producer configuration kafka-clients accepts.
     *
     * @return the first problem, by key in alphabetical order, then the first problem of the combination
     */
    public static Optional<Problem> check(Map<String, String> properties) {
        ConfigDef definitions = ProducerConfig.configDef();
        for (Map.Entry<String, String> entry : new TreeMap<>(properties).entrySet()) {
            String key = entry.getKey();
            Optional<String> reason = checkOne(definitions, key, entry.getValue());
            if (reason.isPresent()) {
                return Optional.of(new Problem(Optional.of(key), reason.get()));
            }
        }
        Map<String, Object> all = new HashMap<>(properties);
        all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, PLACEHOLDER_BOOTSTRAP);
        all.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        all.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        ProducerConfig parsed;
        try {
            parsed = new ProducerConfig(all);
        } catch (ConfigException e) {
            return Optional.of(new Problem(Optional.empty(), withoutValue(e.getMessage(), null)));
        }
        return deliveryTimeoutProblem(properties, parsed);
    }

    private static Optional<String> checkOne(ConfigDef definitions, String key, String value) {
        if (RESERVED.containsKey(key)) {
            return Optional.of(RESERVED.get(key));
        }
        ConfigDef.ConfigKey definition = definitions.configKeys().get(key);
        if (definition == null || definition.internalConfig) {
            return Optional.of("not a producer setting of kafka-clients");
        }
        if (value == null) {
            return Optional.of("has no value");
        }
        try {
            Object parsed = ConfigDef.parseType(key, value, definition.type);
            if (definition.validator != null) {
                definition.validator.ensureValid(key, parsed);
            }
        } catch (ConfigException e) {
            return Optional.of(withoutValue(e.getMessage(), key));
        }
        return Optional.empty();
    }

    /**
     * KafkaProducer checks this when it is made rather than in its configuration: an explicit
     * {@code delivery.timeout.ms} must cover {@code linger.ms} plus {@code request.timeout.ms}.
     */
    private static Optional<Problem> deliveryTimeoutProblem(Map<String, String> properties, ProducerConfig parsed) {
        if (!properties.containsKey(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)) {
            return Optional.empty();
        }
        long delivery = parsed.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        long needed = parsed.getLong(ProducerConfig.LINGER_MS_CONFIG)
                + parsed.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
        if (delivery >= needed) {
            return Optional.empty();
        }
        return Optional.of(new Problem(Optional.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG), "must be at least "
                + "linger.ms + request.timeout.ms (" + needed + ")"));
    }

    /**
     * kafka-clients words a bad value as {@code Invalid value V for configuration K: why}; only the why is kept, so
     * that a secret value is never repeated.
     */
    private static String withoutValue(String message, String key) {
        if (message == null) {
            return "rejected by kafka-clients";
        }
        if (key != null && message.startsWith("Invalid value ")) {
            String marker = " for configuration " + key;
            int at = message.indexOf(marker);
            if (at >= 0) {
                String rest = message.substring(at + marker.length());
                return rest.startsWith(": ") ? lowerFirst(rest.substring(2)) : "is not a valid value";
            }
            return "is not a valid value";
        }
        return message;
    }

    private static String lowerFirst(String text) {
        return text.isEmpty() ? text : text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }

    /** Whether producers made from {@code properties} wait for every in-sync replica: {@code acks} all or unset. */
    public static boolean acksAll(Map<String, String> properties) {
        String acks = properties.get(ProducerConfig.ACKS_CONFIG);
        return acks == null || ACKS_ALL.contains(acks.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The settings of a cluster's producer: the configured ones, then what the mesh sets (bootstrap servers, byte
     * serializers, a client id naming the cluster unless one is configured).
     */
    public static Map<String, Object> producer(UpstreamClusterConfig cluster) {
        Map<String, Object> properties = new HashMap<>(cluster.producer());
        properties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "kanal-mesh-" + cluster.name());
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServersText());
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return properties;
    }

    /**
     * The settings any other client of the cluster (the mesh's admin client, connections of its own) needs to reach
     * it: the bootstrap servers and the configured security settings.
     */
    public static Map<String, Object> connection(UpstreamClusterConfig cluster) {
        Map<String, Object> properties = new HashMap<>();
        cluster.producer().forEach((key, value) -> {
            if (CONNECTION_KEYS.contains(key) || CONNECTION_PREFIXES.stream().anyMatch(key::startsWith)) {
                properties.put(key, value);
            }
        });
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServersText());
        return properties;
    }
}
