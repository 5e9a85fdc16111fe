package io.kanal.it.sasl;

import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/** The client settings that make a stock Kafka client log in with SASL over plaintext, for {@code Clients}. */
final class SaslClients {

    private SaslClients() {
    }

    /**
     * @param mechanism {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
     */
    static Map<String, Object> login(String mechanism, String user, String password) {
        String module = mechanism.equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, mechanism,
                SaslConfigs.SASL_JAAS_CONFIG,
                module + " required username=\"" + user + "\" password=\"" + password + "\";");
    }

    /** {@code login} plus {@code more}. */
    static Map<String, Object> login(String mechanism, String user, String password, Map<String, Object> more) {
        Map<String, Object> config = new java.util.HashMap<>(login(mechanism, user, password));
        config.putAll(more);
        return config;
    }
}
